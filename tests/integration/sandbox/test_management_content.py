"""The Management Activity API's content side in the sandbox: the alert's audit records, content
listing and paging, blobs, the alert's other effects, and the API's errors."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from localdev.tenant import scenario as scenarios
from tests.conftest import load_event
from tests.plugins.sandbox import TEST_SCENARIO, keys

GENERAL = {"contentType": "Audit.General"}
MEGAN = "megan@contoso.com"
RECORDS = "intake/o365-audit-records/elastic-sec-comp-alerts_{}_ElevationOfExchangeAdminPrivilege.json"


@pytest.fixture
def feed(sandbox):
    """A client on the tenant's feed root, subscribed to Audit.General without a webhook."""
    with httpx.Client(base_url=f"{sandbox.url}/api/v1.0/{sandbox.tenant_id}/activity/feed", timeout=10) as client:
        assert client.post("/subscriptions/start", params=GENERAL).status_code == 200
        yield client


def raise_alert(sandbox, user: str = MEGAN) -> dict:
    return sandbox.control("POST", "alerts/restricted-sender", {"user": user}).json()


def test_the_alert_writes_both_records_in_the_shape_of_real_ones(sandbox, feed):
    raised = raise_alert(sandbox)
    records = {record["Operation"]: record for record in feed.get(raised["contentUri"]).json()}
    for operation, record in records.items():
        assert set(record) == set(load_event(RECORDS.format(operation))), operation
        assert (record["Name"], record["Severity"], record["Category"]) == \
            ("User restricted from sending email", "High", "ThreatManagement")
        assert (record["Workload"], record["RecordType"], record["OrganizationId"], record["AlertId"]) == \
            ("SecurityComplianceCenter", 40, sandbox.tenant_id, raised["alertId"])
    entity = records["AlertEntityGenerated"]
    assert (entity["ObjectId"], entity["AlertEntityId"], entity["EntityType"]) == (MEGAN, MEGAN, "User")
    assert json.loads(records["AlertTriggered"]["Data"])["f3u"] == MEGAN


def test_the_alert_blocks_the_user_and_adds_the_graph_alert(sandbox, feed):
    raised = raise_alert(sandbox)
    state = sandbox.state()
    assert [entry["SenderAddress"] for entry in state["blockedSenders"]][-1] == MEGAN
    alert = state["alerts"][-1]
    assert (alert["providerAlertId"], alert["serviceSource"], alert["title"]) == \
        (raised["alertId"], "microsoftDefenderForOffice365", "User restricted from sending email")
    evidence = {item["@odata.type"]: item for item in alert["evidence"]}
    assert evidence["#microsoft.graph.security.mailboxEvidence"]["primaryAddress"] == MEGAN
    assert evidence["#microsoft.graph.security.userEvidence"]["userAccount"]["userPrincipalName"] == MEGAN
    listed = httpx.get(f"{sandbox.url}/v1.0/security/alerts_v2").json()["value"]
    assert raised["alertId"] in [entry["providerAlertId"] for entry in listed]


def test_content_lists_blobs_in_the_documented_shape(sandbox, feed):
    raised = raise_alert(sandbox)
    listed = feed.get("/subscriptions/content", params=GENERAL)
    assert listed.status_code == 200 and "NextPageUri" not in listed.headers
    assert keys(listed.json()) == keys(load_event("o365/06-content-list.response.template.json"))
    assert [(entry["contentId"], entry["contentUri"]) for entry in listed.json()] == \
        [(raised["contentId"], raised["contentUri"])]


def test_content_pages_by_the_next_page_uri_header(sandbox):
    scenario = scenarios.read(TEST_SCENARIO)
    scenario["management"] = {"pageSize": 1}
    sandbox.load(scenario)
    root = f"{sandbox.url}/api/v1.0/{sandbox.tenant_id}/activity/feed"
    httpx.post(f"{root}/subscriptions/start", params=GENERAL)
    raised = [raise_alert(sandbox, user)["contentId"] for user in (MEGAN, "secops@contoso.com")]
    first = httpx.get(f"{root}/subscriptions/content", params=GENERAL)
    following = first.headers["NextPageUri"]
    assert following.startswith(f"{root}/subscriptions/content?contentType=Audit.General&startTime=")
    assert "endTime=" in following and following.endswith("nextPage=1")
    second = httpx.get(following)
    assert "NextPageUri" not in second.headers
    assert [entry["contentId"] for entry in first.json() + second.json()] == raised


def test_content_created_before_the_subscription_is_not_listed(sandbox):
    raise_alert(sandbox)
    root = f"{sandbox.url}/api/v1.0/{sandbox.tenant_id}/activity/feed"
    httpx.post(f"{root}/subscriptions/start", params=GENERAL)
    assert httpx.get(f"{root}/subscriptions/content", params=GENERAL).json() == []


def _window(start: datetime, end: datetime) -> dict:
    return {**GENERAL, "startTime": start.strftime("%Y-%m-%dT%H:%M:%S"), "endTime": end.strftime("%Y-%m-%dT%H:%M:%S")}


def test_a_time_window_selects_by_content_created(sandbox, feed):
    raise_alert(sandbox)
    now = datetime.now(timezone.utc)
    recent = _window(now - timedelta(hours=1), now + timedelta(minutes=1))
    earlier = _window(now - timedelta(hours=3), now - timedelta(hours=2))
    assert len(feed.get("/subscriptions/content", params=recent).json()) == 1
    assert feed.get("/subscriptions/content", params=earlier).json() == []


@pytest.mark.parametrize("query, code", [
    ({"startTime": "2026-01-01"}, "AF20030"),
    ({"startTime": "2020-01-01T00:00", "endTime": "2020-01-01T12:00"}, "AF20030"),
    ({"startTime": "yesterday", "endTime": "today"}, "AF20002"),
    ({"startTime": "2026-02-30", "endTime": "2026-03-01"}, "AF20002"),
    ({"nextPage": "abc"}, "AF20031"),
])
def test_an_invalid_listing_query_is_the_documented_error(feed, query, code):
    response = feed.get("/subscriptions/content", params={**GENERAL, **query})
    assert response.status_code == 400
    assert keys(response.json()) == keys(load_event("o365/12-error.response.json"))
    assert response.json()["error"]["code"] == code


def test_a_window_longer_than_24_hours_is_af20030(feed):
    now = datetime.now(timezone.utc)
    response = feed.get("/subscriptions/content", params=_window(now - timedelta(hours=30), now))
    assert response.json()["error"]["code"] == "AF20030"


@pytest.mark.parametrize("path, params, status, code", [
    ("/subscriptions/content", {}, 400, "AF20001"),
    ("/subscriptions/content", {"contentType": "Audit.Everything"}, 400, "AF20020"),
    ("/subscriptions/content", {"contentType": "Audit.SharePoint"}, 400, "AF20022"),
    ("/subscriptions/notifications", {"contentType": "DLP.All"}, 400, "AF20022"),
    ("/audit/000$000$unknown$04", {}, 404, "AF20050"),
])
def test_requests_the_service_refuses_answer_its_error_codes(feed, path, params, status, code):
    response = feed.get(path, params=params)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)


@pytest.mark.parametrize("tenant, code", [("contoso.com", "AF20013"),
                                          ("3e1c0b5a-0000-4000-8000-000000000000", "AF20011")])
def test_the_tenant_must_be_this_tenants_guid(sandbox, tenant, code):
    response = httpx.get(f"{sandbox.url}/api/v1.0/{tenant}/activity/feed/subscriptions/list")
    assert response.status_code == 400 and response.json()["error"]["code"] == code


def test_a_fault_on_the_feed_answers_in_the_apis_error_shape(sandbox, feed):
    raised = raise_alert(sandbox)
    sandbox.fault(kind="503", path="/activity/feed/audit/", count=1)
    failed = feed.get(raised["contentUri"])
    assert failed.status_code == 503
    assert failed.json() == load_event("o365/12-error.response.json")
    assert feed.get(raised["contentUri"]).status_code == 200
