"""No gateway follows a redirect: a 307 would re-send the body (a new password) to the host it names."""

from __future__ import annotations

import asyncio

import pytest

from remediation.errors import ServiceRejectedError
from remediation.gateways.exchange import ExchangeAdminClient

ADELE = "5f1c7a2e-3b4d-4e8f-9a01-2b3c4d5e6f70"
PASSWORD = "Xq7!vK2#pL9@wZ4$"


@pytest.fixture
async def elsewhere():
    """Another host, which records every connection made to it."""
    connections: list[bytes] = []

    async def record(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(await reader.read(65536))
        writer.close()

    server = await asyncio.start_server(record, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}", connections
    server.close()
    await server.wait_closed()


async def test_a_307_to_the_password_patch_is_not_followed(sandbox, sandbox_directory, elsewhere):
    url, connections = elsewhere
    sandbox.fault(kind="307", method="PATCH", path=f"/users/{ADELE}$", location=f"{url}/v1.0/users/{ADELE}", count=1)
    with pytest.raises(ServiceRejectedError, match="307"):
        await sandbox_directory.reset_password(ADELE, PASSWORD)
    await asyncio.sleep(0)   # let a connection to `elsewhere`, had one been made, reach its handler
    assert connections == [] and sandbox.user(ADELE)["passwordChanges"] == []
    assert [entry["status"] for entry in sandbox.requests() if entry["method"] == "PATCH"] == [307]


async def test_a_307_to_an_exchange_command_is_not_followed(sandbox, sandbox_settings, retry, elsewhere):
    url, connections = elsewhere
    sandbox.fault(kind="307", cmdlet="Remove-BlockedSenderAddress", location=f"{url}/adminapi/beta/x/InvokeCommand")
    exchange = ExchangeAdminClient(sandbox_settings, retry=retry)
    with pytest.raises(ServiceRejectedError, match="307"):
        await exchange.unblock("adele@contoso.com")
    await exchange.aclose()
    await asyncio.sleep(0)
    assert connections == []
