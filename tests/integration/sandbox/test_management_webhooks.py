"""The Management Activity API's webhook side in the sandbox: the validation handshake on /start,
subscriptions, and the notification the restricted-sender alert sends, received by a real
aiohttp webhook on a free port."""

from __future__ import annotations

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.conftest import load_event
from tests.plugins.sandbox import keys

GENERAL = {"contentType": "Audit.General"}


class Webhook:
    """A webhook receiver that records each request and answers with `status`."""

    def __init__(self) -> None:
        self.received: list[tuple[dict, object]] = []
        self.status = 200
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append((dict(request.headers), await request.json()))
        return web.Response(status=self.status)


@pytest.fixture
async def webhook():
    receiver = Webhook()
    app = web.Application()
    app.router.add_post("/o365/", receiver.handle)
    async with TestServer(app, host="127.0.0.1") as server:
        receiver.url = str(server.make_url("/o365/"))
        yield receiver


@pytest.fixture
async def feed(sandbox):
    """An async client on the tenant's feed root: the sandbox calls our webhook while we wait."""
    async with httpx.AsyncClient(base_url=f"{sandbox.url}/api/v1.0/{sandbox.tenant_id}/activity/feed",
                                 timeout=15) as client:
        yield client


def start_body(address: str) -> dict:
    body = load_event("o365/01-subscription-start.request.json")
    body["webhook"]["address"] = address
    return body


async def test_start_validates_the_webhook_then_answers_the_documented_shape(feed, webhook):
    response = await feed.post("/subscriptions/start", params=GENERAL, json=start_body(webhook.url))
    assert response.status_code == 200
    body = response.json()
    assert keys(body) == keys(load_event("o365/02-subscription-start.response.json"))
    assert body == {"contentType": "Audit.General", "status": "enabled", "webhook": {
        "status": "enabled", "address": webhook.url, "authId": "o365activityapinotification", "expiration": None}}
    [(headers, validation)] = webhook.received
    assert keys(validation) == keys(load_event("o365/03-webhook-validation.request.template.json"))
    assert headers["Webhook-ValidationCode"] == validation["validationCode"]
    assert headers["Webhook-AuthID"] == "o365activityapinotification"


@pytest.mark.parametrize("status", [202, 204, 500])
async def test_a_webhook_that_does_not_answer_exactly_200_is_not_subscribed(feed, webhook, status):
    webhook.status = status
    response = await feed.post("/subscriptions/start", params=GENERAL, json=start_body(webhook.url))
    assert response.status_code == 400
    assert keys(response.json()) == keys(load_event("o365/12-error.response.json"))
    assert response.json()["error"] == {
        "code": "AF20021",
        "message": f"The webhook endpoint {webhook.url} could not be validated. The endpoint did not return HTTP 200."}
    assert (await feed.get("/subscriptions/list")).json() == []


async def test_a_webhook_outside_https_is_refused_without_a_call(feed, webhook):
    body = start_body("http://webhook.myapp.example/o365/")
    response = await feed.post("/subscriptions/start", params=GENERAL, json=body)
    assert response.json()["error"]["code"] == "AF20021"
    assert response.json()["error"]["message"].endswith("The address must begin with HTTPS.")
    assert webhook.received == []


async def test_an_expiration_in_the_past_is_af20003(feed, webhook):
    body = start_body(webhook.url)
    body["webhook"]["expiration"] = "2020-01-01T00:00:00Z"
    response = await feed.post("/subscriptions/start", params=GENERAL, json=body)
    assert response.status_code == 400 and response.json()["error"]["code"] == "AF20003"


async def test_list_shows_subscriptions_in_the_documented_shape_and_stop_removes_them(feed, webhook):
    await feed.post("/subscriptions/start", params=GENERAL, json=start_body(webhook.url))
    await feed.post("/subscriptions/start", params={"contentType": "Audit.Exchange"})
    listed = (await feed.get("/subscriptions/list")).json()
    assert keys(listed) == keys(load_event("o365/05-subscriptions-list.response.template.json"))
    assert [(entry["contentType"], entry["webhook"] and entry["webhook"]["status"]) for entry in listed] == \
        [("Audit.General", "enabled"), ("Audit.Exchange", None)]
    assert (await feed.post("/subscriptions/stop", params=GENERAL)).status_code == 200
    assert [entry["contentType"] for entry in (await feed.get("/subscriptions/list")).json()] == ["Audit.Exchange"]
    stopped = await feed.get("/subscriptions/content", params=GENERAL)
    assert stopped.json()["error"]["code"] == "AF20022"


async def test_the_restricted_sender_alert_notifies_the_subscribed_webhook(sandbox, feed, webhook):
    await feed.post("/subscriptions/start", params=GENERAL, json=start_body(webhook.url))
    async with httpx.AsyncClient(base_url=f"{sandbox.url}/_sandbox", timeout=15) as control:
        raised = (await control.post("/alerts/restricted-sender", json={"user": "megan@contoso.com"})).json()
    assert raised["notified"] == 200
    headers, notifications = webhook.received[-1]
    assert headers["Webhook-AuthID"] == "o365activityapinotification"
    assert keys(notifications) == keys(load_event("o365/08-webhook-notification.request.template.json"))
    [notification] = notifications
    assert (notification["tenantId"], notification["contentType"]) == (sandbox.tenant_id, "Audit.General")
    assert (notification["contentId"], notification["contentUri"]) == (raised["contentId"], raised["contentUri"])
    assert notification["contentUri"].startswith(f"{sandbox.url}/api/v1.0/{sandbox.tenant_id}/activity/feed/audit/")
    records = (await feed.get(notification["contentUri"])).json()
    assert {record["Operation"] for record in records} == {"AlertTriggered", "AlertEntityGenerated"}


async def test_notifications_list_records_each_attempt_and_its_outcome(sandbox, feed, webhook):
    await feed.post("/subscriptions/start", params=GENERAL, json=start_body(webhook.url))
    webhook.status = 202   # anything but 200 is a failed notification
    async with httpx.AsyncClient(base_url=f"{sandbox.url}/_sandbox", timeout=15) as control:
        raised = (await control.post("/alerts/restricted-sender", json={"user": "megan@contoso.com"})).json()
    assert raised["notified"] == 202
    listed = (await feed.get("/subscriptions/notifications", params=GENERAL)).json()
    assert keys(listed) == keys(load_event("o365/11-notifications-list.response.template.json"))
    assert [(entry["contentId"], entry["notificationStatus"]) for entry in listed] == [(raised["contentId"], "failed")]


async def test_no_notification_without_a_webhook_or_when_asked_not_to(sandbox, feed, webhook):
    await feed.post("/subscriptions/start", params=GENERAL)
    raised = sandbox.control("POST", "alerts/restricted-sender", {"user": "megan@contoso.com"}).json()
    assert raised["notified"] is None and webhook.received == []
    await feed.post("/subscriptions/start", params=GENERAL, json=start_body(webhook.url))
    async with httpx.AsyncClient(base_url=f"{sandbox.url}/_sandbox", timeout=15) as control:
        quiet = await control.post("/alerts/restricted-sender", json={"user": "megan@contoso.com", "notify": False})
    assert quiet.json()["notified"] is None
    assert len(webhook.received) == 1   # the validation request only
