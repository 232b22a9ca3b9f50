"""The breaker counts confirmed blocks only, and a hold nobody decides on expires to `escalated`."""

from __future__ import annotations

from dataclasses import replace

from remediation.models import Trigger
from remediation.records import Identity
from tests.plugins.playbook import ADELE
from tests.unit.playbook.helpers import SWEEP, changes, run_job, statuses

ALERT = Trigger("azure-monitor", alert_id="alert-1", requested_by="azure-monitor (function key)")
DAY = 24 * 3600


def subjects(playbook) -> list[str]:
    return [mail["subject"] for mail in playbook.tenant.outbox]


async def test_addresses_that_are_not_blocked_do_not_open_the_breaker(playbook):
    playbook.settings = replace(playbook.settings, breaker_max_jobs_per_hour=20)
    for n in range(21):
        job, _ = await playbook.service.intake.request(f"nobody{n}@contoso.com", ALERT)
        assert job.status == "queued"
    await playbook.work(limit=100)
    jobs = [await playbook.service.admin.get(job_id) for job_id in playbook.store.jobs]
    assert {job.status for job in jobs} == {"resolved"} and playbook.store.hours == {}
    real = await run_job(playbook, trigger=SWEEP)
    assert real.status == "awaiting_release" and playbook.store.hours == {"2026112808": 1}


async def test_the_breaker_holds_a_confirmed_block_past_the_limit_after_confirm_block(playbook):
    playbook.settings = replace(playbook.settings, breaker_max_jobs_per_hour=0)
    job = await run_job(playbook, trigger=SWEEP)
    assert job.status == "awaiting_approval" and "circuit breaker is open: 1 automatic jobs" in job.summary
    assert statuses(job)["confirm_block"] == "done" and statuses(job)["reset_password"] == "pending"
    assert [(d.decision, d.breaker) for d in job.decisions] == [("hold", True)]
    assert changes(playbook.tenant) == ["send_mail"] and subjects(playbook) == [
        "[Breaker open] automatic remediation paused"]


async def test_a_dry_run_is_neither_counted_nor_held_by_the_breaker(playbook):
    playbook.settings = replace(playbook.settings, mode="dry-run", breaker_max_jobs_per_hour=0)
    job = await run_job(playbook, trigger=SWEEP)
    assert job.status == "planned" and job.decisions == [] and playbook.store.hours == {}


async def test_a_held_job_expires_to_escalated_after_the_approval_timeout_and_frees_the_user(playbook):
    playbook.settings = replace(playbook.settings, breaker_max_jobs_per_hour=0, approval_timeout_hours=24)
    held = await run_job(playbook, trigger=SWEEP)
    assert [body for body, delay in playbook.queue.sent] == [{"kind": "approval_timeout", "jobId": held.id}]
    assert [delay for _, delay in playbook.queue.sent] == [DAY]
    # Before the deadline a later alert is still the held job's.
    playbook.clock.advance(hours=23)
    same, created = await playbook.service.intake.request(ADELE, ALERT)
    assert same.id == held.id and not created
    await playbook.work(delayed=True)
    job = await playbook.service.admin.get(held.id)
    assert job.status == "escalated"
    assert job.summary.startswith("Escalated: nobody approved or cancelled the job within APPROVAL_TIMEOUT_HOURS=24 h "
                                  f"(held since {held.decisions[0].at}: the circuit breaker is open")
    assert [d.decision for d in job.decisions] == ["hold", "expire"] and job.audit[-1].action == "expire"
    assert all(step.status in ("done", "skipped") for step in job.steps)
    assert changes(playbook.tenant) == ["send_mail", "send_mail"]     # the breaker mail, then this one
    assert subjects(playbook)[-1] == f"[Escalated] {ADELE}: approval timed out"
    assert await playbook.store.claimed("active", ADELE) is None
    later, created = await playbook.service.intake.request(ADELE, Trigger("sentinel", alert_id="incident-2"))
    assert created and later.id != held.id


async def test_the_sweep_expires_an_overdue_hold_whose_message_was_lost_and_takes_the_block_over(playbook):
    playbook.settings = replace(playbook.settings, breaker_max_jobs_per_hour=0, approval_timeout_hours=2)
    held = await run_job(playbook, trigger=SWEEP)
    playbook.queue.take()                                                # the expiry message is lost
    playbook.clock.advance(hours=1, minutes=59)
    assert await playbook.service.schedules.sweep() == []               # not due yet: still the held job's
    playbook.clock.advance(minutes=1)
    [new] = await playbook.service.schedules.sweep()
    assert (await playbook.service.admin.get(held.id)).status == "escalated"
    playbook.settings = replace(playbook.settings, breaker_max_jobs_per_hour=20)   # the storm is over
    await playbook.work()
    assert (await playbook.service.admin.get(new.id)).status == "awaiting_release"


async def test_an_approved_job_ignores_its_expiry_message(playbook):
    playbook.settings = replace(playbook.settings, breaker_max_jobs_per_hour=0)
    held = await run_job(playbook, trigger=SWEEP)
    await playbook.service.admin.approve(held.id, by=Identity("ciso@contoso.com"))
    await playbook.work(delayed=True)
    job = await playbook.service.admin.get(held.id)
    assert job.status == "resolved" and "expire" not in [d.decision for d in job.decisions]
