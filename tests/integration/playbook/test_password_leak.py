"""The generated password goes to Graph in the reset PATCH and nowhere else, and the admin's
bearer token that started the run goes nowhere at all: neither is in any log record (every
logger at DEBUG), table row, queue message, mail, job, exception, nor in the sandbox's record of
the run; not raw, not JSON-escaped, not URL-encoded, not inside base64."""

from __future__ import annotations

import base64
import json
import logging
import math
import traceback
from dataclasses import replace
from urllib.parse import quote, quote_plus

import httpx
import pytest

from handlers import runtime
from handlers.admin_api import remediations_create
from remediation.auth import ADMIN, TokenValidator
from remediation.gateways.graph import GraphDirectory
from remediation.context import Context
from remediation.services import Services, wire
from tests.integration.playbook.support import ADELE
from tests.unit.handlers.calls import http_request

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


def encodings(secret: str) -> set[str]:
    """The forms a leaked secret would take: raw, JSON-escaped, URL-encoded, and base64 (standard and
    URL-safe) at each of the three alignments it could have inside a longer encoded text."""
    forms = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1],
             quote(secret), quote(secret, safe=""), quote_plus(secret)}
    raw = secret.encode()
    for offset in range(3):
        encoded = base64.b64encode(bytes(offset) + raw).decode()
        # Only the characters whose six bits all come from the secret are the same in any text.
        inner = encoded[math.ceil(8 * offset / 6):(8 * (offset + len(raw))) // 6]
        forms |= {inner, inner.translate(str.maketrans("+/", "-_"))}
    return forms


async def start_by_admin_api(worker: Services, sandbox) -> tuple[str, str]:
    """POST /api/remediations with an admin's token from the sandbox's Entra ID: (job id, token)."""
    token = sandbox.token(aud=worker.context.settings.api_audience, roles=[ADMIN], upn="admin@contoso.com")
    runtime.use(runtime.Runtime(worker.context.settings, worker, TokenValidator(worker.context.settings)))
    try:
        response = await remediations_create(http_request("POST", "/api/remediations", body={"user": ADELE},
                                                          headers={"Authorization": f"Bearer {token}"}))
    finally:
        runtime.use(None)
    assert response.status_code == 202, response.get_body()
    return json.loads(response.get_body())["id"], token


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
    job_id, token = await start_by_admin_api(worker, sandbox)
    seen += await raw_queue_texts(live)
    try:
        await live.deliver(worker)
    except Exception as exc:  # noqa: BLE001 - the failing variant raises so the host retries
        seen += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    if graph_fails:
        sandbox.clear_faults()
        await live.deliver(worker)               # the redelivery: the reset is not sent again
        assert (await live.job(job_id)).step("reset_password").status == "manual"
    else:
        seen += await raw_queue_texts(live)
        await live.deliver(worker)               # the follow-up
    seen += await raw_queue_texts(live)

    password = the_password(transport, user_id)
    assert len(password) >= 20
    seen += [record.getMessage() for record in caplog.records]
    seen += [logging.Formatter().format(record) for record in caplog.records]
    seen += await table_rows(live)
    seen.append(json.dumps((await live.job(job_id)).to_json()))
    mails = sandbox.state()["outbox"]
    seen += [json.dumps(mail, ensure_ascii=False) for mail in mails]
    seen.append(json.dumps(sandbox.state(), default=str))
    seen.append(json.dumps(sandbox.requests(), default=str))
    others = [body.decode(errors="replace") for method, path, body in transport.sent
              if not (method == "PATCH" and path.endswith(f"/users/{user_id}"))]
    assert caplog.records and len(seen) > 10 and others and (mails or graph_fails)
    leaks = encodings(password) | encodings(token) | {token.rpartition(".")[2]}
    for text in seen + others:
        assert not [form for form in leaks if form in text]
    assert all(password in body.decode() for method, path, body in transport.sent
               if method == "PATCH" and path.endswith(f"/users/{user_id}"))


@pytest.mark.parametrize("prefix", ["", "a", "ab", "abc", '{"note": "'])
def test_the_scan_finds_a_secret_in_each_form_it_could_take(prefix):
    secret = 'Xq7!vK2#pL9@wZ4$"é/+'
    embedded = f"{prefix}{secret} and more"
    leaked = [embedded, json.dumps(embedded), quote(embedded), quote_plus(embedded),
              base64.b64encode(embedded.encode()).decode(), base64.urlsafe_b64encode(embedded.encode()).decode()]
    assert all(any(form in text for form in encodings(secret)) for text in leaked)
    assert not any(form in json.dumps({"other": "Xq7!vK2#pL9"}) for form in encodings(secret))
