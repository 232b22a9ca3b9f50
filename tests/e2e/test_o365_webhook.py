"""The Management Activity API webhook through HTTP: forged notifications start nothing and make
the app call nobody; repeated ones start one job."""

from __future__ import annotations

import pytest

from tests.conftest import load_event

pytestmark = pytest.mark.e2e

# A forgery the app wrongly enqueued goes to the poison queue in a moment instead of retrying for minutes.
E2E_HOST_JSON = {"visibilityTimeout": "00:00:00"}
ADELE = "adele@contoso.com"
OTHER_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def notification(e2e, content_id: str, content_uri: str, **changes: str) -> dict:
    """One item of the documented notification body, pointing at a content blob of the sandbox."""
    [item] = load_event("o365/08-webhook-notification.request.template.json")
    return {**item, "tenantId": e2e.sandbox.tenant_id, "clientId": e2e.sandbox.tenant_id,
            "contentType": "Audit.General", "contentId": content_id, "contentUri": content_uri, **changes}


def post(e2e, body, auth_id: str | None = None):
    headers = {"Webhook-AuthID": e2e.settings["O365_WEBHOOK_AUTH_ID"] if auth_id is None else auth_id}
    return e2e.http.post("/api/alerts/o365", json=body, headers=headers)


def content_fetches(e2e, content_id: str) -> int:
    return sum(1 for call in e2e.outbound() if call["method"] == "GET" and call["path"].endswith(content_id))


def test_a_subscription_with_a_wrong_auth_id_fails_the_validation_handshake(e2e):
    feed = f"{e2e.sandbox.url}/api/v1.0/{e2e.sandbox.tenant_id}/activity/feed"
    response = e2e.http.post(f"{feed}/subscriptions/start", params={"contentType": "Audit.General"},
                             json={"webhook": {"address": f"{e2e.url}/api/alerts/o365", "authId": "guessed"}})
    assert response.status_code == 400 and response.json()["error"]["code"] == "AF20021"
    assert e2e.raise_alert(ADELE)["notified"] is None   # no enabled webhook: nothing reaches the app
    assert e2e.jobs() == []


def forged(e2e, alert: dict, case: str) -> tuple[list, str | None]:
    """(body, Webhook-AuthID) of a forged notification for `alert`'s real content blob."""
    content_id, uri = alert["contentId"], alert["contentUri"]
    feed = f"/api/v1.0/{e2e.sandbox.tenant_id}/activity/feed"
    if case == "wrong AuthID":
        return [notification(e2e, content_id, uri)], "o365activityapinotification"
    if case == "no AuthID":
        return [notification(e2e, content_id, uri)], ""
    if case == "another tenant":
        return [notification(e2e, content_id, uri, tenantId=OTHER_TENANT)], None
    if case == "a foreign host":
        foreign = f"https://manage.office.com.attacker.example{feed}/audit/{content_id}"
        return [notification(e2e, content_id, foreign)], None
    if case == "another tenant's feed on our host":
        return [notification(e2e, content_id, uri.replace(e2e.sandbox.tenant_id, OTHER_TENANT))], None
    assert case == "a path leaving the feed"
    return [notification(e2e, content_id, f"{e2e.sandbox.url}{feed}/../../../../v1.0/users")], None


@pytest.mark.parametrize("case, status", [
    ("wrong AuthID", 401), ("no AuthID", 401), ("another tenant", 403), ("a foreign host", 403),
    ("another tenant's feed on our host", 403), ("a path leaving the feed", 403),
])
def test_a_forged_notification_starts_nothing_and_makes_no_outbound_request(e2e, case, status):
    e2e.subscribe_o365()
    alert = e2e.raise_alert(ADELE, notify=False)   # real content: accepting the forgery would start a job
    body, auth_id = forged(e2e, alert, case)
    since = len(e2e.outbound())
    response = post(e2e, body, auth_id)
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert e2e.queue_depth() == 0
    assert e2e.sandbox.requests(since) == []
    assert e2e.jobs() == []


def test_the_same_content_notified_twice_starts_one_job_and_is_fetched_once(e2e):
    e2e.subscribe_o365()
    alert = e2e.raise_alert(ADELE)
    assert alert["notified"] == 200
    # The Management API retries a notification it thinks failed; the app must not act twice.
    retried = post(e2e, [notification(e2e, alert["contentId"], alert["contentUri"])])
    assert retried.status_code == 200
    e2e.wait_for_job(ADELE, "resolved")
    assert content_fetches(e2e, alert["contentId"]) == 1


def test_the_same_alert_in_two_content_blobs_starts_one_job(e2e):
    e2e.subscribe_o365()
    alert = e2e.raise_alert(ADELE, notify=False)
    tenant = e2e.sandbox.scenario()
    blobs = tenant["management"]["content"]
    copy_id = alert["contentId"][:-4] + "$05"
    blobs[copy_id] = {**blobs[alert["contentId"]], "contentId": copy_id}
    e2e.sandbox.load(tenant)
    uris = [alert["contentUri"], alert["contentUri"].replace(alert["contentId"], copy_id)]
    response = post(e2e, [notification(e2e, alert["contentId"], uris[0]), notification(e2e, copy_id, uris[1])])
    assert response.status_code == 200
    job = e2e.wait_for_job(ADELE, "resolved")
    assert job["trigger"]["alertId"] == alert["alertId"]
    assert content_fetches(e2e, alert["contentId"]) == 1 and content_fetches(e2e, copy_id) == 1
