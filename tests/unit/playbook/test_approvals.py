"""Protected accounts and the breaker: a human approves before any change."""

from __future__ import annotations

from dataclasses import replace

import pytest

from remediation.errors import NotAllowedError, StateConflictError
from remediation.records import Identity
from tests.plugins.playbook import ADELE
from tests.unit.playbook.helpers import ADMIN, SWEEP, changes, run_job, statuses

GROUP = "0b3f4c1e-5a9d-4d1e-9f6b-1c2d3e4f5a6b"


async def test_a_protected_upn_waits_for_approval_before_anything_runs(playbook):
    playbook.settings = replace(playbook.settings, protected_accounts=(ADELE.upper(),))
    job = await run_job(playbook)
    assert job.status == "awaiting_approval" and "PROTECTED_ACCOUNTS" in job.summary
    assert changes(playbook.tenant) == ["send_mail"]        # the approval request only
    [mail] = playbook.tenant.outbox
    assert mail["subject"] == f"[Approval needed] {ADELE}" and f"{job.id}/approve" in mail["body"]
    assert job.decisions[0].decision == "hold"


async def test_a_member_of_a_protected_group_waits_before_any_change(playbook):
    playbook.settings = replace(playbook.settings, protected_accounts=(GROUP,))
    playbook.tenant.find(ADELE).groups.append(GROUP)
    job = await run_job(playbook)
    assert job.status == "awaiting_approval" and GROUP in job.summary
    assert statuses(job)["confirm_block"] == "done" and statuses(job)["reset_password"] == "pending"
    assert changes(playbook.tenant) == ["send_mail"]


async def test_approval_continues_the_job_and_records_who_decided(playbook):
    playbook.settings = replace(playbook.settings, protected_accounts=(GROUP,))
    playbook.tenant.find(ADELE).groups.append(GROUP)
    job = await run_job(playbook)
    approved = await playbook.service.admin.approve(job.id, by=Identity("ciso@contoso.com"), comment="go ahead")
    assert approved.status == "queued"
    await playbook.work()
    job = await playbook.service.admin.get(job.id)
    assert job.status == "awaiting_release"
    assert [(d.decision, d.by) for d in job.decisions] == [
        ("hold", "restricted-sender-responder (app)"), ("approve", "ciso@contoso.com")]
    assert job.decisions[1].comment == "go ahead"
    assert job.audit[0].actor == "ciso@contoso.com" and job.audit[0].action == "approve"
    assert len(playbook.tenant.outbox) == 2    # the approval request, then the summary


async def test_cancellation_ends_the_job_and_frees_the_user(playbook):
    playbook.settings = replace(playbook.settings, protected_accounts=(ADELE,))
    job = await run_job(playbook)
    cancelled = await playbook.service.admin.cancel(job.id, by=Identity("ciso@contoso.com"), comment="false positive")
    assert cancelled.status == "cancelled" and cancelled.decisions[-1].decision == "cancel"
    assert all(step.status == "skipped" for step in cancelled.steps)
    assert await playbook.store.claimed("active", ADELE) is None
    await playbook.work()
    assert changes(playbook.tenant) == ["send_mail"]


@pytest.mark.parametrize("name, object_id", [
    ("Adele@Contoso.com", "11111111-2222-3333-4444-555555555555"),   # her UPN, another object id
    ("ADELE@contoso.com", ""),
    ("Adele Vance's other app name", "{oid}"),                        # her object id under another name
    ("", "{oid}"),
    ("adele.vance@contoso.com", "11111111-2222-3333-4444-555555555555"),   # her mail in the directory
])
async def test_the_jobs_user_can_neither_approve_nor_cancel_it(playbook, name, object_id):
    adele = playbook.tenant.find(ADELE)
    adele.mail = "adele.vance@contoso.com"
    playbook.settings = replace(playbook.settings, protected_accounts=(ADELE,))
    job = await run_job(playbook)
    for decide in (playbook.service.admin.approve, playbook.service.admin.cancel):
        with pytest.raises(NotAllowedError, match="their own remediation"):
            await decide(job.id, by=Identity(name, object_id.format(oid=adele.id)))
    after = await playbook.service.admin.get(job.id)
    assert after.status == "awaiting_approval" and after.etag == job.etag
    megan = playbook.tenant.find("megan@contoso.com")
    assert (await playbook.service.admin.approve(job.id, by=Identity("megan@contoso.com", megan.id))).status == "queued"


async def test_only_a_waiting_job_can_be_approved_and_an_ended_one_not_cancelled(playbook):
    job = await run_job(playbook)
    with pytest.raises(StateConflictError, match="not awaiting_approval"):
        await playbook.service.admin.approve(job.id, by=Identity("ciso@contoso.com"))
    playbook.tenant.blocked.clear()
    resolved = await run_job(playbook, user="megan@contoso.com")
    with pytest.raises(StateConflictError, match="has already ended: resolved"):
        await playbook.service.admin.cancel(resolved.id, by=Identity("ciso@contoso.com"))


async def test_a_dry_run_only_notes_a_protected_account(playbook):
    playbook.settings = replace(playbook.settings, mode="dry-run", protected_accounts=(GROUP,))
    playbook.tenant.find(ADELE).groups.append(GROUP)
    job = await run_job(playbook)
    assert job.status == "planned" and "dry run: noted" in job.decisions[0].comment


async def test_not_knowing_whether_an_account_is_protected_means_waiting(playbook):
    from remediation.errors import PermissionError_
    playbook.settings = replace(playbook.settings, protected_accounts=(GROUP,))
    original = playbook.tenant.directory.member_of

    async def denied(user_id, groups):
        raise PermissionError_("Insufficient privileges", service="graph", permission="GroupMember.Read.All")
    playbook.tenant.directory.member_of = denied
    job = await run_job(playbook)
    playbook.tenant.directory.member_of = original
    assert job.status == "awaiting_approval" and "GroupMember.Read.All" in job.summary


async def test_the_breaker_holds_automatic_jobs_past_the_hourly_limit_and_mails_once(playbook):
    playbook.settings = replace(playbook.settings, breaker_max_jobs_per_hour=2)
    users = [f"user{n}@contoso.com" for n in range(4)]
    for user in users:
        playbook.tenant.add_user(user)
        playbook.tenant.block(user, playbook.clock())
    jobs = [await run_job(playbook, user=user, trigger=SWEEP) for user in users]
    assert [job.status for job in jobs] == ["awaiting_release", "awaiting_release", "awaiting_approval",
                                            "awaiting_approval"]
    assert "circuit breaker is open: 3 automatic jobs" in jobs[2].summary
    breaker_mails = [mail for mail in playbook.tenant.outbox if mail["subject"].startswith("[Breaker open]")]
    assert len(breaker_mails) == 1
    admin_job = await run_job(playbook, user=ADELE, trigger=ADMIN)
    assert admin_job.status == "awaiting_release"           # an admin's request is not automatic
    approved = await playbook.service.admin.approve(jobs[2].id, by=Identity("ciso@contoso.com"))
    await playbook.work()
    assert (await playbook.service.admin.get(approved.id)).status == "awaiting_release"


async def test_approving_a_breaker_hold_does_not_skip_the_protected_account_check(playbook):
    playbook.settings = replace(playbook.settings, breaker_max_jobs_per_hour=0, protected_accounts=(GROUP,))
    playbook.tenant.find(ADELE).groups.append(GROUP)
    held = await run_job(playbook, trigger=SWEEP)
    assert held.status == "awaiting_approval" and held.decisions[0].breaker is True
    await playbook.service.admin.approve(held.id, by=Identity("ciso@contoso.com"),
                                         comment="the breaker tripped on a bulk test")
    await playbook.work()
    job = await playbook.service.admin.get(held.id)
    assert job.status == "awaiting_approval" and GROUP in job.summary
    assert [(d.decision, d.breaker) for d in job.decisions] == [("hold", True), ("approve", None), ("hold", False)]
    assert statuses(job)["reset_password"] == "pending"
    assert [mail["subject"] for mail in playbook.tenant.outbox] == [
        "[Breaker open] automatic remediation paused", f"[Approval needed] {ADELE}"]
    await playbook.service.admin.approve(held.id, by=Identity("ciso@contoso.com"), comment="confirmed with Adele")
    await playbook.work()
    assert (await playbook.service.admin.get(held.id)).status == "awaiting_release"


async def test_the_breaker_mails_again_the_next_hour(playbook):
    playbook.settings = replace(playbook.settings, breaker_max_jobs_per_hour=0)
    for hour in range(2):
        user = f"u{hour}@contoso.com"
        playbook.tenant.add_user(user)
        playbook.tenant.block(user, playbook.clock())
        await run_job(playbook, user=user, trigger=SWEEP)
        playbook.clock.advance(hours=1)
    assert len([mail for mail in playbook.tenant.outbox if mail["subject"].startswith("[Breaker open]")]) == 2


async def test_without_protected_accounts_no_membership_is_checked(playbook):
    await run_job(playbook)
    assert playbook.tenant.count("member_of") == 0
