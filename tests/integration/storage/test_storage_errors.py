"""What a Storage failure becomes, through the SDKs' real HTTP stack: a local server answers
as Azure Storage does when busy, forbidden or refusing; a closed port plays an outage."""

from __future__ import annotations

import json
import re

import pytest
from aiohttp import web

from localdev.azurite import ACCOUNT, KEY
from localdev.ports import free_port
from remediation.errors import PermissionError_, ServiceRejectedError, TransientError
from remediation.gateways.queue import StorageQueue
from remediation.gateways.storage_auth import StorageAccount
from remediation.gateways.store import TableJobStore
from remediation.settings import Settings
from tests.plugins.storage import new_job


def _queue_error(status: int, code: str, message: str) -> dict:
    body = (f'<?xml version="1.0" encoding="utf-8"?>'
            f"<Error><Code>{code}</Code><Message>{message}\nRequestId:1</Message></Error>")
    return {"status": status, "text": body, "content_type": "application/xml", "headers": {"x-ms-error-code": code}}


def _table_error(status: int, code: str, message: str) -> dict:
    body = {"odata.error": {"code": code, "message": {"lang": "en-US", "value": f"{message}\nRequestId:1"}}}
    return {"status": status, "text": json.dumps(body), "content_type": "application/json",
            "headers": {"x-ms-error-code": code}}


def _settings(port: int) -> Settings:
    endpoint = f"http://127.0.0.1:{port}/{ACCOUNT}"
    connection = (f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};"
                  f"QueueEndpoint={endpoint};TableEndpoint={endpoint};")
    return Settings.from_env({"AzureWebJobsStorage": connection})


@pytest.fixture
async def storage_answering():
    """Start a server that answers every request with the given response; returns Settings pointing at it."""
    runners = []

    async def start(response: dict) -> Settings:
        async def answer(request: web.Request) -> web.Response:
            return web.Response(**response)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", answer)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners.append(runner)
        return _settings(runner.addresses[0][1])

    yield start
    for runner in runners:
        await runner.cleanup()


async def _send(settings: Settings) -> None:
    async with StorageQueue(StorageAccount(settings, retries=0), "remediation-jobs") as queue:
        await queue.send({"kind": "run", "jobId": "j-1"})


async def _add(settings: Settings) -> None:
    async with TableJobStore(StorageAccount(settings, retries=0), "remediationjobs") as store:
        await store.add(new_job())


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_a_busy_queue_service_is_transient_in_its_own_words(storage_answering, status):
    busy = "Operations per second is over the account limit."
    settings = await storage_answering(_queue_error(status, "ServerBusy", busy))

    with pytest.raises(TransientError, match=rf"^Azure Queue Storage: {re.escape(busy)} \(ServerBusy\)$") as raised:
        await _send(settings)
    assert raised.value.message == busy
    assert raised.value.code == "ServerBusy"


async def test_a_forbidden_table_call_names_the_role_the_identity_lacks(storage_answering):
    denied = "This request is not authorized to perform this operation using this permission."
    settings = await storage_answering(_table_error(403, "AuthorizationPermissionMismatch", denied))

    lacks_role = r"\(AuthorizationPermissionMismatch\); the app needs the Storage Table Data Contributor role$"
    with pytest.raises(PermissionError_, match=lacks_role) as raised:
        await _add(settings)
    assert raised.value.code == "AuthorizationPermissionMismatch"
    assert "not authorized" in str(raised.value) and "Storage Table Data Contributor" in str(raised.value)


async def test_a_refused_table_request_is_permanent(storage_answering):
    too_large = "The entity is larger than the maximum allowed size (1MB)."
    settings = await storage_answering(_table_error(400, "EntityTooLarge", too_large))

    with pytest.raises(ServiceRejectedError, match="larger than the maximum"):
        await _add(settings)


@pytest.mark.parametrize("call", [_send, _add])
async def test_unreachable_storage_is_transient(call):
    with pytest.raises(TransientError, match="unreachable"):
        await call(_settings(free_port()))
