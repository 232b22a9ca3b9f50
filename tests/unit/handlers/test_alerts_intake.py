"""POST /api/alerts/azure-monitor and /api/alerts/sentinel: who may submit, and the jobs started."""

from __future__ import annotations

import copy
import json

import pytest

from handlers.alerts_azure_monitor import alerts_azure_monitor
from handlers.alerts_sentinel import alerts_sentinel
from remediation.auth import ALERTS_SUBMIT, READER
from tests.conftest import load_event
from tests.unit.handlers.calls import http_request, json_of, problem_of

ALERT_NAME = "User restricted from sending email"
MONITOR_ALERT_ID = ("/subscriptions/12345a-1234b-123c-123d-12345678e/providers/Microsoft.AlertsManagement/alerts/"
                    "12345a-1234b-123c-123d-12345678e")


def monitor_alert(condition: str = "Fired") -> dict:
    """The documented log search alert, adapted: split by a UserPrincipalName dimension."""
    payload = copy.deepcopy(load_event("intake/azure-monitor/common-schema_log-search-alert-v2_full-payload.json"))
    payload["data"]["essentials"]["monitorCondition"] = condition
    payload["data"]["alertContext"]["condition"]["allOf"][0]["dimensions"].append(
        {"name": "UserPrincipalName", "value": "Mallory@Contoso.com"})
    return payload


def incident(title: str = ALERT_NAME) -> dict:
    """The documented Sentinel trigger body, adapted: our title and real addresses."""
    body = copy.deepcopy(load_event("intake/sentinel/incident-trigger-body.template.json"))
    properties = body["object"]["properties"]
    properties["title"] = title
    properties["relatedEntities"][0]["properties"]["upnSuffix"] = "contoso.com"
    properties["relatedEntities"][1]["properties"]["upn"] = "mallory@contoso.com"
    return body


def monitor(body: object, headers: dict | None = None):
    return alerts_azure_monitor(http_request("POST", "/api/alerts/azure-monitor", body=body, headers=headers))


def sentinel(body: object, headers: dict | None = None):
    return alerts_sentinel(http_request("POST", "/api/alerts/sentinel", body=body, headers=headers))


async def test_a_fired_alert_with_the_function_key_starts_a_job(fake):
    response = await monitor(monitor_alert())
    [started] = json_of(response)["jobs"]
    assert response.status_code == 202 and started["created"] is True and started["user"] == "mallory@contoso.com"
    trigger = fake.jobs[started["id"]].trigger
    assert (trigger.source, trigger.alert_id, trigger.requested_by) == (
        "azure-monitor", MONITOR_ALERT_ID, "azure-monitor (function key)")


async def test_a_secure_webhook_token_is_recorded(fake, entra):
    response = await monitor(monitor_alert(), entra.bearer(ALERTS_SUBMIT, preferred_username=None, appid="aznsaad"))
    [started] = json_of(response)["jobs"]
    assert fake.jobs[started["id"]].trigger.requested_by.startswith("app aznsaad")


async def test_a_bearer_token_that_is_sent_must_be_valid(fake, entra):
    assert (await monitor(monitor_alert(), entra.bearer(ALERTS_SUBMIT, aud="api://other"))).status_code == 401
    assert (await monitor(monitor_alert(), entra.bearer(READER))).status_code == 403
    assert fake.calls == []


async def test_a_repeated_alert_finds_the_active_job(fake):
    first = json_of(await monitor(monitor_alert()))["jobs"][0]
    response = await monitor(monitor_alert())
    assert response.status_code == 200 and json_of(response)["jobs"][0] == {**first, "created": False}


async def test_a_resolved_alert_starts_nothing(fake):
    response = await monitor(monitor_alert("Resolved"))
    assert response.status_code == 200 and json_of(response) == {"jobs": []} and fake.calls == []


async def test_an_alert_that_is_not_the_common_schema_is_400(fake):
    assert problem_of(await monitor({"text": "hello"}))["status"] == 400


async def test_a_sentinel_incident_starts_a_job_per_user(fake, entra):
    response = await sentinel(incident(), entra.bearer(ALERTS_SUBMIT))
    jobs = json_of(response)["jobs"]
    assert response.status_code == 202
    assert [job["user"] for job in jobs] == ["administrator@contoso.com", "mallory@contoso.com"]
    assert {fake.jobs[job["id"]].trigger.alert_id for job in jobs} == {"73e01a99-5cd7-4139-a149-9f2736ff2ab5"}


async def test_an_account_known_only_by_object_id_is_passed_on_for_the_worker(fake, entra):
    body = incident()
    del body["object"]["properties"]["relatedEntities"][0]["properties"]["upnSuffix"]
    jobs = json_of(await sentinel(body, entra.bearer(ALERTS_SUBMIT)))["jobs"]
    assert jobs[0]["user"] == "f7033626-2572-46b1-bba0-06646f4f95b3"


async def test_another_incident_starts_nothing(fake, entra):
    response = await sentinel(incident("Impossible travel"), entra.bearer(ALERTS_SUBMIT))
    assert response.status_code == 200 and json_of(response) == {"jobs": []}


async def test_sentinel_needs_the_intake_role(fake, entra):
    for headers, status in (({}, 401), (entra.bearer(READER), 403), (entra.bearer(ALERTS_SUBMIT, exp=1), 401)):
        assert problem_of(await sentinel(incident(), headers))["status"] == status
    assert fake.calls == []


@pytest.mark.parametrize("user", ["*", "a/b?c#d", "' or 1 eq 1", "mallory@contoso.com\r\nSubject: hi"])
async def test_a_name_that_is_not_a_user_is_400_naming_it_and_starts_nothing(fake, entra, user):
    body = incident()
    body["object"]["properties"]["relatedEntities"][1]["properties"]["upn"] = user
    detail = problem_of(await sentinel(body, entra.bearer(ALERTS_SUBMIT)))["detail"]
    assert detail.startswith("refused 1 user(s), neither an email address nor an Entra object id: ")
    assert json.dumps(user) in detail and fake.calls == []


async def test_an_alert_naming_more_users_than_the_cap_is_400_and_starts_nothing(fake):
    payload = monitor_alert()
    dimensions = payload["data"]["alertContext"]["condition"]["allOf"][0]["dimensions"]
    dimensions += [{"name": "UserPrincipalName", "value": f"user{n}@contoso.com"} for n in range(50)]
    problem = problem_of(await monitor(payload))
    assert problem["status"] == 400 and "names 51 users, more than MAX_USERS_PER_ALERT (50)" in problem["detail"]
    assert fake.calls == []
