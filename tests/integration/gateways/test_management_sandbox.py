"""The Management Activity API client against the sandbox: subscription, webhook notification, content."""

from __future__ import annotations

import asyncio
import socket

import pytest
from aiohttp import web

from remediation.errors import RequestError

AUTH_ID = "o365-webhook-secret"


class Webhook:
    """A tiny receiver on a free port: answers 200 and keeps what it was sent."""

    def __init__(self) -> None:
        self.received: list[tuple[dict, object]] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append((dict(request.headers), await request.json()))
        return web.Response(status=200)

    async def __aenter__(self) -> "Webhook":
        app = web.Application()
        app.router.add_post("/api/alerts/o365", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        await web.SockSite(self.runner, listener).start()
        self.url = f"http://127.0.0.1:{listener.getsockname()[1]}/api/alerts/o365"
        return self

    async def __aexit__(self, *exc) -> None:
        await self.runner.cleanup()


async def raise_alert(sandbox, user: str) -> dict:
    # In a thread: the sandbox notifies our webhook, which answers on this test's event loop.
    response = await asyncio.to_thread(sandbox.control, "POST", "alerts/restricted-sender", {"user": user})
    return response.json()


@pytest.fixture
async def webhook():
    async with Webhook() as receiver:
        yield receiver


async def test_starting_the_subscription_passes_the_webhook_validation(sandbox_management, webhook):
    started = await sandbox_management.start_subscription(webhook.url, AUTH_ID)
    assert started["contentType"] == "Audit.General" and started["status"] == "enabled"
    assert started["webhook"]["address"] == webhook.url and started["webhook"]["status"] == "enabled"
    [(headers, body)] = webhook.received
    assert headers["Webhook-AuthID"] == AUTH_ID and "validationCode" in body
    listed = {item["contentType"]: item for item in await sandbox_management.list_subscriptions()}
    assert listed["Audit.General"]["webhook"]["authId"] == AUTH_ID


async def test_the_notified_content_holds_the_alert_records(sandbox, sandbox_management, webhook):
    await sandbox_management.start_subscription(webhook.url, AUTH_ID)
    raised = await raise_alert(sandbox, "megan@contoso.com")
    headers, notifications = webhook.received[-1]
    assert headers["Webhook-AuthID"] == AUTH_ID and notifications[0]["contentUri"] == raised["contentUri"]
    records = await sandbox_management.fetch_content(notifications[0]["contentUri"])
    assert {record["Operation"] for record in records} == {"AlertTriggered", "AlertEntityGenerated"}
    assert all(record["Name"] == "User restricted from sending email" for record in records)
    assert any(record.get("ObjectId") == "megan@contoso.com" for record in records)


async def test_throttled_content_is_fetched_after_the_wait(sandbox, sandbox_management, webhook, sleeps):
    await sandbox_management.start_subscription(webhook.url, AUTH_ID)
    raised = await raise_alert(sandbox, "megan@contoso.com")
    sandbox.fault(kind="429", path="/activity/feed/audit/", retryAfter="2.128", count=1)
    assert len(await sandbox_management.fetch_content(raised["contentUri"])) == 2
    assert sleeps == [2.128]


async def test_content_of_another_tenant_on_the_same_host_is_never_requested(sandbox, sandbox_management):
    before = len(sandbox.requests())
    other = f"{sandbox.url}/api/v1.0/contoso.com/activity/feed/audit/abc"
    with pytest.raises(RequestError, match="contentUri is not under this tenant's activity feed"):
        await sandbox_management.fetch_content(other)
    assert len(sandbox.requests()) == before
