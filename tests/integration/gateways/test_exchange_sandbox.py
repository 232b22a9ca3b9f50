"""Every ExchangeAdmin method against the sandbox tenant, asserting on what the tenant holds afterwards."""

from __future__ import annotations

import pytest

from remediation.errors import NotFoundError, ServiceRejectedError, UnblockCapError
from tests.plugins.gateways import scenario_with

BLOCKED = ["adele@contoso.com", "lee@contoso.com", "diego@fabrikam.com", "nestor@contoso.com", "alex@contoso.com"]


def invocations(sandbox, cmdlet: str) -> list[dict]:
    return [entry for entry in sandbox.requests() if (entry.get("cmdlet") or "").lower() == cmdlet.lower()]


def blocked_in(sandbox) -> list[str]:
    return [entry["SenderAddress"] for entry in sandbox.state()["blockedSenders"]]


async def test_the_blocked_list_is_read_with_each_entrys_facts(sandbox_exchange):
    blocks = {block.sender: block for block in await sandbox_exchange.blocked_senders()}
    assert list(blocks) == BLOCKED
    adele = blocks["adele@contoso.com"]
    assert adele.reason_parts == {"ExceedingLimitType": "ExternalRecipients", "OutboundSpam": ""}
    assert adele.temporary is False
    assert adele.created.startswith("20") and adele.changed
    assert blocks["alex@contoso.com"].temporary is True


async def test_one_sender_is_looked_up_and_an_unblocked_one_is_an_empty_list(sandbox_exchange):
    found = await sandbox_exchange.blocked_senders("adele@contoso.com")
    assert [block.sender for block in found] == ["adele@contoso.com"]
    assert await sandbox_exchange.blocked_senders("megan@contoso.com") == []


async def test_every_page_is_followed_by_reposting_the_cmdlet(sandbox, sandbox_exchange):
    sandbox.load(scenario_with(exchange={"unblockLimit": 3, "releaseDelaySeconds": 0, "pageSize": 2}))
    assert [block.sender for block in await sandbox_exchange.blocked_senders()] == BLOCKED
    calls = invocations(sandbox, "Get-BlockedSenderAddress")
    assert len(calls) == 3 and all(call["body"] == calls[0]["body"] for call in calls)


async def test_unblock_removes_the_sender_and_counts_it(sandbox, sandbox_exchange):
    await sandbox_exchange.unblock("adele@contoso.com")
    assert "adele@contoso.com" not in blocked_in(sandbox)
    assert sandbox.state()["unblocks"] == {"adele@contoso.com": 1}


async def test_unblocking_a_sender_that_is_not_blocked_is_not_found(sandbox_exchange):
    with pytest.raises(NotFoundError, match="megan@contoso.com"):
        await sandbox_exchange.unblock("megan@contoso.com")


async def test_the_unblock_cap_is_its_own_error(sandbox, sandbox_exchange):
    sandbox.load(scenario_with(exchange={"unblockLimit": 0, "releaseDelaySeconds": 0, "pageSize": 1000}))
    with pytest.raises(UnblockCapError, match="Microsoft Support"):
        await sandbox_exchange.unblock("adele@contoso.com")
    assert "adele@contoso.com" in blocked_in(sandbox) and len(invocations(sandbox, "Remove-BlockedSenderAddress")) == 1


async def test_mailbox_forwarding_is_read_and_cleared(sandbox, sandbox_exchange):
    forwarding = await sandbox_exchange.mailbox_forwarding("adele@contoso.com")
    assert forwarding.forwarding_smtp_address == "smtp:adele.vance.backup@mailbox.example"
    assert forwarding.deliver_to_mailbox_and_forward is True and forwarding.is_set
    await sandbox_exchange.clear_mailbox_forwarding("adele@contoso.com")
    assert sandbox.user("adele@contoso.com")["mailbox"] == \
        {"ForwardingSmtpAddress": None, "ForwardingAddress": None, "DeliverToMailboxAndForward": False}
    assert not (await sandbox_exchange.mailbox_forwarding("adele@contoso.com")).is_set


async def test_internal_forwarding_names_the_recipient(sandbox_exchange):
    forwarding = await sandbox_exchange.mailbox_forwarding("alex@contoso.com")
    assert forwarding.forwarding_smtp_address is None and forwarding.forwarding_address


async def test_an_unknown_mailbox_is_not_found_although_exchange_answers_500(sandbox, sandbox_exchange):
    with pytest.raises(NotFoundError, match="couldn't be found") as caught:
        await sandbox_exchange.mailbox_forwarding("nobody@contoso.com")
    assert caught.value.code == "ManagementObjectNotFoundException"
    assert invocations(sandbox, "Get-Mailbox")[-1]["status"] == 500


async def test_inbox_rules_include_the_hidden_one_only_when_asked(sandbox_exchange):
    hidden = await sandbox_exchange.inbox_rules("adele@contoso.com")
    visible = await sandbox_exchange.inbox_rules("adele@contoso.com", include_hidden=False)
    assert [rule.name for rule in hidden] == ["Team updates", ".", ".."]
    assert [rule.name for rule in visible] == ["Team updates", "."]
    assert hidden[2].move_to.endswith("RSS Feeds") and hidden[2].marks_read is True


async def test_disable_inbox_rule_turns_off_the_hidden_rule(sandbox, sandbox_exchange):
    hidden = (await sandbox_exchange.inbox_rules("adele@contoso.com"))[2]
    await sandbox_exchange.disable_inbox_rule("adele@contoso.com", hidden.identity)
    stored = {rule["displayName"]: rule["isEnabled"] for rule in sandbox.user("adele@contoso.com")["inboxRules"]}
    assert stored == {"Team updates": True, ".": True, "..": False}
    assert (await sandbox_exchange.inbox_rules("adele@contoso.com"))[2].enabled is False
    await sandbox_exchange.disable_inbox_rule("adele@contoso.com", hidden.identity)   # idempotent


async def test_a_parameter_exchange_does_not_know_is_rejected(sandbox_exchange):
    with pytest.raises(ServiceRejectedError, match="Bogus"):
        await sandbox_exchange.invoke("Get-Mailbox", {"Identity": "adele@contoso.com", "Bogus": 1})
