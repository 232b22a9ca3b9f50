"""ExchangeAdminClient against the sandbox tenant where the wire matters: what the cmdlets carry, paging,
Exchange's own errors. The behaviour every ExchangeAdmin shares is in tests/contract/test_exchange.py."""

from __future__ import annotations

import pytest

from remediation.errors import NotFoundError, ServiceRejectedError, UnblockCapError
from tests.plugins.gateways import scenario_with

BLOCKED = ["adele@contoso.com", "lee@contoso.com", "diego@fabrikam.com", "nestor@contoso.com", "alex@contoso.com"]


def invocations(sandbox, cmdlet: str) -> list[dict]:
    return [entry for entry in sandbox.requests() if (entry.get("cmdlet") or "").lower() == cmdlet.lower()]


def blocked_in(sandbox) -> list[str]:
    return [entry["SenderAddress"] for entry in sandbox.state()["blockedSenders"]]


async def test_every_page_is_followed_by_reposting_the_cmdlet(sandbox, sandbox_exchange):
    sandbox.load(scenario_with(exchange={"unblockLimit": 3, "releaseDelaySeconds": 0, "pageSize": 2}))
    assert [block.sender for block in await sandbox_exchange.blocked_senders()] == BLOCKED
    calls = invocations(sandbox, "Get-BlockedSenderAddress")
    assert len(calls) == 3 and all(call["body"] == calls[0]["body"] for call in calls)


async def test_the_unblock_cap_is_its_own_error(sandbox, sandbox_exchange):
    sandbox.load(scenario_with(exchange={"unblockLimit": 0, "releaseDelaySeconds": 0, "pageSize": 1000}))
    with pytest.raises(UnblockCapError, match="Microsoft Support"):
        await sandbox_exchange.unblock("adele@contoso.com")
    assert "adele@contoso.com" in blocked_in(sandbox) and len(invocations(sandbox, "Remove-BlockedSenderAddress")) == 1


async def test_clearing_mailbox_forwarding_empties_all_three_fields(sandbox, sandbox_exchange):
    await sandbox_exchange.clear_mailbox_forwarding("adele@contoso.com")
    mailbox = sandbox.user("adele@contoso.com")["mailbox"]
    assert {name: mailbox[name] for name in ("ForwardingSmtpAddress", "ForwardingAddress",
                                             "DeliverToMailboxAndForward")} == \
        {"ForwardingSmtpAddress": None, "ForwardingAddress": None, "DeliverToMailboxAndForward": False}


async def test_an_unknown_mailbox_is_not_found_although_exchange_answers_500(sandbox, sandbox_exchange):
    with pytest.raises(NotFoundError, match="couldn't be found") as caught:
        await sandbox_exchange.mailbox_forwarding("nobody@contoso.com")
    assert caught.value.code == "ManagementObjectNotFoundException"
    assert invocations(sandbox, "Get-Mailbox")[-1]["status"] == 500


async def test_a_parameter_exchange_does_not_know_is_rejected(sandbox_exchange):
    with pytest.raises(ServiceRejectedError, match="Bogus"):
        await sandbox_exchange.invoke("Get-Mailbox", {"Identity": "adele@contoso.com", "Bogus": 1})
