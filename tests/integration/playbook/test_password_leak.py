"""The generated password goes to Graph in the reset PATCH and nowhere else: not in any log
record (every logger at DEBUG), table row, queue message, mail, job, exception, nor in the
sandbox's record of the run."""

from __future__ import annotations

import base64
import json
import logging
import traceback
from dataclasses import replace

import httpx
import pytest

from remediation.context import Context
from remediation.gateways.graph import GraphDirectory
from remediation.models import Trigger
from remediation.services import Services, wire
from tests.integration.playbook.support import ADELE

LOGGERS = ("", "remediation", "azure", "httpx", "httpcore", "msgraph", "msgraph_core", "kiota_http",
           "kiota_abstractions", "aiohttp", "localdev", "asyncio")


class RecordingTransport(httpx.AsyncBaseTransport):
    """The real transport, keeping each request's method, path and body: the test's only view of the password."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.sent: list[tuple[str, str, bytes]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, request.url.path, await request.aread()))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def recording_worker(live) -> tuple[Services, RecordingTransport]:
    transport = RecordingTransport()
    real = live.worker().context
    directory = GraphDirectory(real.settings, transport=transport)
    live.workers.append(wire(Context.build(real.settings, replace(real.ports, directory=directory), live.clock)))
    return live.workers[-1], transport


async def raw_queue_texts(live) -> list[str]:
    """Every message now in the queue and its poison queue, as it is on the wire and decoded."""
    texts = []
    for name in (live.env["REMEDIATION_QUEUE"], live.env["REMEDIATION_QUEUE"] + "-poison"):
        client = live.account.queue(name, base64=False)
        try:
            for message in await client.peek_messages(max_messages=32):
                texts += [message.content, base64.b64decode(message.content).decode(errors="replace")]
        except Exception as exc:  # noqa: BLE001 - a queue never created holds nothing
            if "QueueNotFound" not in str(exc):
                raise
    return texts


async def table_rows(live) -> list[str]:
    table = live.account.table(live.env["JOBS_TABLE"])
    return [json.dumps(dict(row), default=str) async for row in table.list_entities()]


def the_password(transport: RecordingTransport, user_id: str) -> str:
    bodies = [json.loads(body) for method, path, body in transport.sent
              if method == "PATCH" and path.endswith(f"/users/{user_id}") and b"passwordProfile" in body]
    passwords = {body["passwordProfile"]["password"] for body in bodies}
    assert len(passwords) == 1 and bodies[0]["passwordProfile"]["forceChangePasswordNextSignIn"] is True
    return passwords.pop()


@pytest.mark.parametrize("graph_fails", [False, True], ids=["standard run", "reset PATCH failing with 503"])
async def test_the_generated_password_is_nowhere_but_in_the_reset_request(live, sandbox, caplog, graph_fails):
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    worker, transport = recording_worker(live)
    user_id = sandbox.user(ADELE)["id"]
    if graph_fails:
        sandbox.fault(kind="503", method="PATCH", path=f"/v1.0/users/{user_id}$", count=20)
    seen: list[str] = []                     # everything the run produced, as text

    live.visibility_timeout = 1               # the redelivery of the failing variant comes a second later
    job, _ = await worker.intake.request(ADELE, Trigger("admin"))
    seen += await raw_queue_texts(live)
    try:
        await live.deliver(worker)
    except Exception as exc:  # noqa: BLE001 - the failing variant raises so the host retries
        seen += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    if graph_fails:
        sandbox.clear_faults()
        await live.deliver(worker)               # the redelivery: the reset is not sent again
        assert (await live.job(job.id)).step("reset_password").status == "manual"
    else:
        seen += await raw_queue_texts(live)
        await live.deliver(worker)               # the follow-up
    seen += await raw_queue_texts(live)

    password = the_password(transport, user_id)
    assert len(password) >= 20
    seen += [record.getMessage() for record in caplog.records]
    seen += [logging.Formatter().format(record) for record in caplog.records]
    seen += await table_rows(live)
    seen.append(json.dumps((await live.job(job.id)).to_json()))
    seen.append(json.dumps(sandbox.state(), default=str))
    seen.append(json.dumps(sandbox.requests(), default=str))
    others = [body.decode(errors="replace") for method, path, body in transport.sent
              if not (method == "PATCH" and path.endswith(f"/users/{user_id}"))]
    assert caplog.records and len(seen) > 10 and others
    for text in seen + others:
        assert password not in text
    assert all(password in body.decode() for method, path, body in transport.sent
               if method == "PATCH" and path.endswith(f"/users/{user_id}"))
