"""The ExchangeAdmin port's contract: each behaviour the playbook relies on, run against the fake
tenant and against ExchangeAdminClient on the sandbox tenant (the `tenant` fixture, tests/plugins/contract.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from remediation.errors import NotFoundError, UnblockCapError
from remediation.gateways import exchange
from remediation.tenant import CLOSED_CAS, EXCHANGE, CasSettings

# RuleIdentity of Adele's rules: the decimal of their Graph ids' bytes, read little-endian.
TEAM_UPDATES, FORWARD, HIDDEN = "11485970832841244673", "11558028426879172609", "11630086020917100545"
BLOCKED = ["adele@contoso.com", "lee@contoso.com", "diego@fabrikam.com", "nestor@contoso.com", "alex@contoso.com"]


def with_exchange(tenant, **settings) -> None:
    scenario = tenant.scenario()
    scenario["exchange"] = {**scenario.get("exchange", {}), **settings}
    tenant.load(scenario)


async def blocked(tenant) -> list[str]:
    return [block.sender for block in await tenant.exchange.blocked_senders()]


async def test_the_blocked_list_gives_each_entrys_facts(tenant):
    blocks = {block.sender: block for block in await tenant.exchange.blocked_senders()}
    assert list(blocks) == BLOCKED
    adele = blocks["adele@contoso.com"]
    assert (adele.reason, adele.reason_parts, adele.temporary) == (
        "ExceedingLimitType=ExternalRecipients;OutboundSpam", {"ExceedingLimitType": "ExternalRecipients",
                                                               "OutboundSpam": ""}, False)
    assert adele.created.startswith("20") and blocks["alex@contoso.com"].temporary is True


async def test_one_sender_is_looked_up_and_one_not_listed_is_an_empty_list(tenant):
    assert [block.sender for block in await tenant.exchange.blocked_senders("Adele@Contoso.com")] == \
        ["adele@contoso.com"]
    assert await tenant.exchange.blocked_senders("megan@contoso.com") == []


async def test_every_entry_comes_back_however_exchange_pages_them(tenant):
    with_exchange(tenant, pageSize=2)
    assert await blocked(tenant) == BLOCKED


async def test_an_unblock_takes_the_sender_off_the_list_once(tenant):
    await tenant.exchange.unblock("adele@contoso.com")
    assert "adele@contoso.com" not in await blocked(tenant)
    with pytest.raises(NotFoundError, match="'adele@contoso.com' couldn't be found"):
        await tenant.exchange.unblock("adele@contoso.com")


async def test_a_release_microsoft_is_slow_to_make_leaves_the_sender_listed(tenant):
    with_exchange(tenant, releaseDelaySeconds=3600)
    await tenant.exchange.unblock("adele@contoso.com")
    assert "adele@contoso.com" in await blocked(tenant)


async def test_past_the_unblock_cap_the_sender_stays_blocked(tenant):
    with_exchange(tenant, unblockLimit=0)
    with pytest.raises(UnblockCapError, match="unblock limit for this sender has been reached"):
        await tenant.exchange.unblock("adele@contoso.com")
    assert "adele@contoso.com" in await blocked(tenant)


async def test_mailbox_forwarding_is_read_and_cleared(tenant):
    forwarding = await tenant.exchange.mailbox_forwarding("adele@contoso.com")
    assert (forwarding.forwarding_smtp_address, forwarding.forwarding_address,
            forwarding.deliver_to_mailbox_and_forward) == ("smtp:adele.vance.backup@mailbox.example", None, True)
    await tenant.exchange.clear_mailbox_forwarding("adele@contoso.com")
    assert not (await tenant.exchange.mailbox_forwarding("adele@contoso.com")).is_set


async def test_forwarding_to_a_recipient_of_the_organization_names_it(tenant):
    forwarding = await tenant.exchange.mailbox_forwarding("alex@contoso.com")
    assert forwarding.forwarding_smtp_address is None and forwarding.forwarding_address and forwarding.is_set


async def test_an_unknown_mailbox_is_not_found(tenant):
    with pytest.raises(NotFoundError, match="'nobody@contoso.com' couldn't be found"):
        await tenant.exchange.mailbox_forwarding("nobody@contoso.com")


async def test_inbox_rules_include_the_hidden_one_only_when_asked(tenant):
    rules = await tenant.exchange.inbox_rules("adele@contoso.com")
    visible = await tenant.exchange.inbox_rules("adele@contoso.com", include_hidden=False)
    assert [(rule.source, rule.name, rule.identity) for rule in rules] == [
        (EXCHANGE, "Team updates", TEAM_UPDATES), (EXCHANGE, ".", FORWARD), (EXCHANGE, "..", HIDDEN)]
    assert [rule.name for rule in visible] == ["Team updates", "."]
    hidden = rules[2]
    assert (hidden.move_to, hidden.marks_read, hidden.enabled) == ("adele:\\RSS Feeds", True, True)


async def test_a_rule_forwarding_inside_the_organization_names_the_recipient_in_exchanges_notation(tenant):
    [cover] = await tenant.exchange.inbox_rules("alex@contoso.com")
    [recipient] = cover.recipients
    assert recipient.organization and "[EX:" in recipient.address and recipient.action == "forwardTo"


async def test_a_hidden_rule_is_disabled_by_its_identity_and_disabling_again_changes_nothing(tenant):
    await tenant.exchange.disable_inbox_rule("adele@contoso.com", HIDDEN)
    await tenant.exchange.disable_inbox_rule("adele@contoso.com", HIDDEN)
    rules = await tenant.exchange.inbox_rules("adele@contoso.com")
    assert [rule.enabled for rule in rules] == [True, True, False]


async def test_disabling_a_rule_the_mailbox_does_not_have_is_not_found(tenant):
    with pytest.raises(NotFoundError, match="couldn't be found"):
        await tenant.exchange.disable_inbox_rule("adele@contoso.com", "12345")


async def test_legacy_protocols_are_read_and_turned_off_and_restored(tenant):
    before = await tenant.exchange.cas_settings("adele@contoso.com")
    assert before == CasSettings(False, True, True) and not before.closed
    await tenant.exchange.set_cas_settings("adele@contoso.com", CLOSED_CAS)
    assert (await tenant.exchange.cas_settings("adele@contoso.com")).closed
    await tenant.exchange.set_cas_settings("adele@contoso.com", before)
    assert await tenant.exchange.cas_settings("adele@contoso.com") == before


async def test_a_mailbox_that_follows_the_organizations_smtp_auth_reads_none(tenant):
    assert await tenant.exchange.cas_settings("megan@contoso.com") == CasSettings(None, True, True)


async def test_the_legacy_protocols_of_an_unknown_mailbox_are_not_found(tenant):
    with pytest.raises(NotFoundError, match="'nobody@contoso.com' couldn't be found"):
        await tenant.exchange.cas_settings("nobody@contoso.com")


def trace_window(hours: float = 48):
    now = datetime.now(timezone.utc)
    return now - timedelta(hours=hours), now


async def test_the_message_trace_gives_each_row_newest_first_within_the_window(tenant):
    start, end = trace_window()
    trace = await tenant.exchange.message_trace("adele@contoso.com", start, end, 5000)
    assert [row.recipient for row in trace.messages] == [
        "d1@mail.example", "c1@mailbox.example", "b1@post.example", "a1@mailbox.example", "a2@inbox.example",
        "a3@inbox.example"]
    assert trace.cut is False
    first = trace.messages[-1]
    assert (first.subject, first.status) == ("Invoice #4471 overdue", "Delivered")
    assert trace.messages[2].status == "FilteredAsSpam"
    assert end - timedelta(hours=21) < first.received < end - timedelta(hours=19)


async def test_the_message_trace_is_followed_across_queries_and_cut_at_the_limit(tenant, monkeypatch):
    monkeypatch.setattr(exchange, "TRACE_RESULT_SIZE", 2)   # every query returns 2 rows: one query per pair
    start, end = trace_window()
    whole = await tenant.exchange.message_trace("adele@contoso.com", start, end, 5000)
    assert [row.recipient for row in whole.messages][-3:] == [
        "a1@mailbox.example", "a2@inbox.example", "a3@inbox.example"]   # one Received: -StartingRecipientAddress
    assert len(whole.messages) == 6 and not whole.cut
    cut = await tenant.exchange.message_trace("adele@contoso.com", start, end, 4)
    assert [row.recipient for row in cut.messages] == [row.recipient for row in whole.messages[:4]] and cut.cut


async def test_a_sender_who_sent_nothing_has_an_empty_trace(tenant):
    start, end = trace_window()
    for sender in ("megan@contoso.com", "nobody@contoso.com"):
        trace = await tenant.exchange.message_trace(sender, start, end, 5000)
        assert (trace.messages, trace.cut) == ((), False)
