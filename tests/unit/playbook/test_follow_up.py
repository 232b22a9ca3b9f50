"""The follow-up: released and clean resolves; still blocked waits (growing delays) then escalates;
a new block, a rule or forwarding that came back escalates at once."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from html import escape

from remediation.records import Identity
from remediation.tenant import MailboxForwarding
from tests.plugins.playbook import ADELE
from tests.unit.fakes import EVIL, rule, to
from tests.unit.playbook.helpers import run_job


async def secured(playbook, **settings):
    playbook.settings = replace(playbook.settings, **settings)
    job = await run_job(playbook)
    assert job.status == "awaiting_release"
    return job


async def check(playbook, job, *, after: float = 3600):
    [(message, delay)] = playbook.queue.take()
    assert message == {"kind": "follow_up", "jobId": job.id, "attempt": message["attempt"]}
    playbook.clock.advance(seconds=after if after is not None else delay)
    await playbook.service.worker.handle(message, 1, 5)
    return await playbook.service.admin.get(job.id), delay


async def test_released_and_clean_resolves(playbook):
    job = await secured(playbook)
    job, delay = await check(playbook, job)
    assert delay == 3600 and job.status == "resolved"
    assert job.checks == [{"at": "2026-11-28T09:00:00Z", "attempt": 1, "blocked": False, "outcome": "resolved",
                           "findings": []}]
    assert await playbook.store.claimed("active", ADELE) is None


async def test_still_blocked_is_checked_again_with_growing_delays_then_escalated_at_24_hours(playbook):
    playbook.tenant.release_on_unblock = False
    job = await secured(playbook)
    delays, moments = [], []
    message, delay = playbook.queue.take()[0]
    while True:
        playbook.clock.advance(seconds=delay)
        moments.append(playbook.clock())
        await playbook.service.worker.handle(message, 1, 5)
        sent = playbook.queue.take()
        if not sent:
            break
        [(message, delay)] = sent
        delays.append(delay)
    job = await playbook.service.admin.get(job.id)
    assert delays == [3600, 7200, 14400, 28800, 28800]         # the last one lands on the 24-hour mark
    assert moments[-1] - moments[0] == timedelta(hours=23)
    assert job.status == "escalated" and "still on the blocked list 24 h after the unblock" in job.summary
    assert [c["outcome"] for c in job.checks] == ["still blocked"] * 5 + ["escalated"]
    assert job.step("follow_up").status == "done"
    assert playbook.tenant.outbox[-1]["subject"] == f"[Escalated] {ADELE}: follow-up check"


async def test_a_new_block_after_the_unblock_escalates_at_once_and_can_disable_the_account(playbook):
    job = await secured(playbook, disable_account_on_recurrence=True)
    playbook.tenant.block(ADELE, playbook.clock() + timedelta(minutes=20), reason="ExceedingLimitType=Hourly")
    job, _ = await check(playbook, job)
    assert job.status == "escalated" and "was blocked again at 2026-11-28T08:20:00Z" in job.summary
    assert playbook.tenant.find(ADELE).enabled is False
    assert job.audit[-1].action == "disable account" and job.audit[-1].result == "ok"
    assert job.audit[-1].why == ("the account was blocked again for spam after the unblock "
                                    "(DISABLE_ACCOUNT_ON_RECURRENCE)")
    assert playbook.queue.sent == []


async def test_a_synced_account_graph_cannot_disable_at_recurrence_says_what_to_do_on_premises(playbook):
    user = playbook.tenant.find(ADELE)
    job = await secured(playbook, disable_account_on_recurrence=True)
    user.synced = True                       # the reset was done before the account came under Entra Connect
    playbook.tenant.block(ADELE, playbook.clock() + timedelta(minutes=20))
    job, _ = await check(playbook, job)
    assert job.status == "escalated" and user.enabled
    assert job.audit[-1].action == "disable account" and job.audit[-1].result.startswith("failed: ")
    instructions = "disable it there (Disable-ADAccount -Identity <its sAMAccountName>"
    assert instructions in job.summary and "Start-ADSyncSyncCycle" in job.checks[-1]["findings"][-1]
    assert escape(instructions) in playbook.tenant.outbox[-1]["body"]


async def test_a_new_block_without_the_policy_leaves_the_account_enabled(playbook):
    job = await secured(playbook)
    playbook.tenant.block(ADELE, playbook.clock() + timedelta(minutes=20))
    job, _ = await check(playbook, job)
    assert job.status == "escalated" and playbook.tenant.find(ADELE).enabled


async def test_forwarding_that_came_back_disables_the_account_under_the_policy_and_says_why(playbook):
    job = await secured(playbook, disable_account_on_recurrence=True)
    playbook.tenant.find(ADELE).forwarding = MailboxForwarding("smtp:again@evil.example")
    job, _ = await check(playbook, job)
    assert job.status == "escalated" and playbook.tenant.find(ADELE).enabled is False
    assert job.audit[-1].why == ("forwarding or a mail-hiding inbox rule came back after remediation "
                                    "(DISABLE_ACCOUNT_ON_RECURRENCE)")


async def test_still_blocked_at_the_deadline_is_not_a_recurrence_and_disables_nothing(playbook):
    playbook.tenant.release_on_unblock = False
    job = await secured(playbook, disable_account_on_recurrence=True)
    playbook.clock.advance(hours=24)
    [(message, _)] = playbook.queue.take()
    await playbook.service.worker.handle(message, 1, 5)
    job = await playbook.service.admin.get(job.id)
    assert job.status == "escalated" and "still on the blocked list 24 h after the unblock" in job.summary
    assert playbook.tenant.find(ADELE).enabled and playbook.tenant.count("disable_account") == 0
    assert "disable account" not in [item.action for item in job.audit]


async def test_a_disabled_rule_enabled_again_escalates_with_what_came_back(playbook):
    job = await secured(playbook)
    playbook.tenant.rule_by(ADELE, "fwd")["isEnabled"] = True
    job, _ = await check(playbook, job)
    assert job.status == "escalated"
    assert f"inbox rule 'fwd' is enabled again: it forwards to {EVIL} (outside the tenant)" in job.summary
    assert job.checks[-1]["findings"] == [
        f"inbox rule 'fwd' is enabled again: it forwards to {EVIL} (outside the tenant)"]


async def test_a_rule_recreated_under_a_new_id_escalates(playbook):
    job = await secured(playbook)
    playbook.tenant.find(ADELE).rules.append(rule(40, "fwd", redirectTo=to("drop@evil.example")))
    job, _ = await check(playbook, job)
    assert job.status == "escalated" and "inbox rule 'fwd' is new: it redirects to drop@evil.example" in job.summary


async def test_a_new_hidden_rule_escalates_even_if_it_looks_harmless(playbook):
    job = await secured(playbook)
    playbook.tenant.find(ADELE).rules.append(rule(41, "x", hidden=True, assignCategories=["a"]))
    job, _ = await check(playbook, job)
    assert job.status == "escalated" and "a new hidden inbox rule 'x' (hidden) appeared" in job.summary


async def test_mailbox_forwarding_set_again_escalates(playbook):
    job = await secured(playbook)
    playbook.tenant.find(ADELE).forwarding = MailboxForwarding("smtp:again@evil.example")
    job, _ = await check(playbook, job)
    assert job.status == "escalated" and "ForwardingSmtpAddress smtp:again@evil.example" in job.summary


async def test_a_duplicate_follow_up_message_changes_nothing(playbook):
    job = await secured(playbook)
    [(message, _)] = playbook.queue.take()
    playbook.clock.advance(hours=1)
    await playbook.service.worker.handle(message, 1, 5)
    first = await playbook.service.admin.get(job.id)
    await playbook.service.worker.handle(message, 1, 5)
    again = await playbook.service.admin.get(job.id)
    assert again.etag == first.etag and len(again.checks) == 1


async def test_a_follow_up_for_a_cancelled_job_does_nothing(playbook):
    job = await secured(playbook)
    await playbook.service.admin.cancel(job.id, by=Identity("admin@contoso.com"))
    calls = len(playbook.tenant.calls)
    await check(playbook, job)
    assert len(playbook.tenant.calls) == calls


async def test_a_protected_account_blocked_again_is_escalated_and_not_disabled(playbook):
    playbook.settings = replace(playbook.settings, protected_accounts=(ADELE,), disable_account_on_recurrence=True)
    held = await run_job(playbook)
    await playbook.service.admin.approve(held.id, by=Identity("ciso@contoso.com"), comment="checked with Adele")
    await playbook.work()
    job = await playbook.service.admin.get(held.id)
    assert job.status == "awaiting_release"
    playbook.queue.sent = [(body, delay) for body, delay in playbook.queue.sent if body["kind"] == "follow_up"]
    playbook.tenant.block(ADELE, playbook.clock() + timedelta(minutes=20))
    job, _ = await check(playbook, job)
    assert job.status == "escalated" and playbook.tenant.find(ADELE).enabled
    assert playbook.tenant.count("disable_account") == 0
    assert "disable account" not in [item.action for item in job.audit]
    assert (f"{ADELE} was not disabled: {ADELE} is a protected account (listed in PROTECTED_ACCOUNTS)"
            in job.checks[-1]["findings"][-1])
    assert "DISABLE_ACCOUNT_ON_RECURRENCE does not apply to a protected account" in job.summary


async def test_an_owners_archive_rule_the_job_left_alone_is_not_mail_that_came_back(playbook):
    owner_rule = rule(6, "Old newsletters", enabled=False, moveToFolder="archive")
    playbook.tenant.find(ADELE).rules.append(owner_rule)
    job = await secured(playbook, disable_account_on_recurrence=True)
    assert "Old newsletters" not in job.step("inbox_rules").data["targets"]
    playbook.tenant.rule_by(ADELE, "Old newsletters")["isEnabled"] = True     # the owner turns it back on
    job, _ = await check(playbook, job)
    assert job.status == "resolved" and playbook.tenant.find(ADELE).enabled


async def test_a_new_visible_archive_rule_after_the_job_came_back(playbook):
    job = await secured(playbook)
    playbook.tenant.find(ADELE).rules.append(rule(42, "Archive all", moveToFolder="archive"))
    job, _ = await check(playbook, job)
    assert job.status == "escalated" and "inbox rule 'Archive all' is new: it moves mail to Archive" in job.summary
