"""Each alert route, from a documented payload to a resolved job, through HTTP on the local host:
the job is read through the admin API and the tenant through the sandbox's control API."""

from __future__ import annotations

import pytest

from remediation.models import STEP_NAMES
from tests.e2e.support import ALERTS_SUBMIT, READER, azure_monitor_alert, sentinel_incident

pytestmark = pytest.mark.e2e

ADELE = "adele@contoso.com"


def assert_secured_and_released(e2e, user: str) -> None:
    """What the tenant shows after a standard run: new password, sessions revoked, forwarding gone, unblocked,
    and the security team told."""
    state = e2e.sandbox.user(user)
    assert len(state["passwordChanges"]) == 1 and len(state["revocations"]) == 1
    assert not any(rule["isEnabled"] for rule in state["inboxRules"] if rule["actions"].get("forwardTo"))
    assert state["mailbox"]["ForwardingSmtpAddress"] is None
    assert user not in [entry["SenderAddress"] for entry in e2e.sandbox.state()["blockedSenders"]]
    [summary] = e2e.mails(f"[Restricted sender] {user}")
    assert summary["from"] == "secops@contoso.com" and summary["recipients"] == ["soc@contoso.com"]


def test_o365_alert_through_the_management_api_webhook_is_resolved(e2e):
    e2e.subscribe_o365()
    alert = e2e.raise_alert(ADELE)
    assert alert["notified"] == 200
    job = e2e.wait_for_job(ADELE, "resolved")
    assert job["trigger"]["source"] == "o365" and job["trigger"]["alertId"] == alert["alertId"]
    assert [step["status"] for step in job["steps"]] == ["done"] * len(STEP_NAMES)
    assert_secured_and_released(e2e, ADELE)


def test_azure_monitor_alert_with_the_function_key_is_resolved(e2e):
    e2e.raise_alert(ADELE)   # blocked; nobody subscribed to the Management API, so only Azure Monitor tells us
    payload = azure_monitor_alert(ADELE)
    response = e2e.http.post("/api/alerts/azure-monitor", json=payload,
                             headers={"x-functions-key": e2e.settings["FUNCTIONS_KEY"]})
    assert response.status_code == 202, response.text
    [started] = response.json()["jobs"]
    job = e2e.wait_for_job(ADELE, "resolved")
    assert job["id"] == started["id"] and started["url"] == f"{e2e.url}/api/remediations/{job['id']}"
    assert job["trigger"] == {"source": "azure-monitor", "alertId": payload["data"]["essentials"]["alertId"],
                              "requestedBy": "azure-monitor (function key)", "reason": None,
                              "requestedById": None}
    assert_secured_and_released(e2e, ADELE)


def test_azure_monitor_secure_webhook_records_the_calling_app(e2e):
    e2e.raise_alert(ADELE)
    headers = {"x-functions-key": e2e.settings["FUNCTIONS_KEY"],
               **e2e.bearer(ALERTS_SUBMIT, upn=None, app_displayname="Azure Monitor action group")}
    response = e2e.http.post("/api/alerts/azure-monitor", json=azure_monitor_alert(ADELE), headers=headers)
    assert response.status_code == 202, response.text
    job = e2e.wait_for_job(ADELE, "resolved")
    assert job["trigger"]["requestedBy"].startswith("Azure Monitor action group (")


def test_azure_monitor_without_the_function_key_is_refused_by_the_host(e2e):
    e2e.raise_alert(ADELE)
    response = e2e.http.post("/api/alerts/azure-monitor", json=azure_monitor_alert(ADELE), headers=e2e.bearer(
        ALERTS_SUBMIT))
    assert response.status_code == 401
    assert e2e.jobs() == [] and e2e.queue_depth() == 0


def test_azure_monitor_resolved_alert_starts_nothing(e2e):
    e2e.raise_alert(ADELE)
    payload = azure_monitor_alert(ADELE)
    payload["data"]["essentials"]["monitorCondition"] = "Resolved"
    response = e2e.http.post("/api/alerts/azure-monitor", json=payload,
                             headers={"x-functions-key": e2e.settings["FUNCTIONS_KEY"]})
    assert response.status_code == 200 and response.json() == {"jobs": []}
    assert e2e.jobs() == []


def test_sentinel_incident_is_resolved_with_one_job_for_its_two_entities(e2e):
    e2e.raise_alert(ADELE)
    incident = sentinel_incident(ADELE)
    response = e2e.http.post("/api/alerts/sentinel", json=incident, headers=e2e.bearer(ALERTS_SUBMIT))
    assert response.status_code == 202, response.text
    assert [job["user"] for job in response.json()["jobs"]] == [ADELE]
    job = e2e.wait_for_job(ADELE, "resolved")
    assert job["trigger"]["source"] == "sentinel" and job["trigger"]["alertId"] == incident["object"]["name"]
    assert_secured_and_released(e2e, ADELE)


def test_sentinel_needs_the_alerts_submit_role(e2e):
    e2e.raise_alert(ADELE)
    response = e2e.http.post("/api/alerts/sentinel", json=sentinel_incident(ADELE), headers=e2e.bearer(READER))
    assert response.status_code == 403 and response.headers["Content-Type"] == "application/problem+json"
    assert e2e.jobs() == [] and e2e.queue_depth() == 0
