"""confirm_block: the blocked list decides whether there is anything to do, and which block a job owns."""

from __future__ import annotations

from dataclasses import replace

from datetime import timedelta

from remediation.models import Trigger
from remediation.records import Identity
from tests.plugins.playbook import ADELE
from tests.unit.playbook.helpers import ADMIN, SWEEP, changes, run_job, statuses


async def test_a_user_not_on_the_blocked_list_resolves_without_any_change(playbook):
    playbook.tenant.blocked.clear()
    job = await run_job(playbook)
    assert job.status == "resolved"
    assert "not on the blocked list" in job.summary
    assert statuses(job)["confirm_block"] == "done"
    assert {status for name, status in statuses(job).items() if name != "confirm_block"} == {"skipped"}
    assert changes(playbook.tenant) == []
    assert await playbook.store.claimed("active", ADELE) is None


async def test_an_admin_can_force_a_job_for_a_user_who_is_not_blocked(playbook):
    playbook.tenant.blocked.clear()
    job = await run_job(playbook, force=True)
    assert statuses(job)["reset_password"] == "done" and statuses(job)["unblock_sender"] == "skipped"
    assert job.status == "resolved" and "forced" in job.summary
    assert "unblock" not in changes(playbook.tenant)


async def test_the_block_is_looked_up_case_insensitively(playbook):
    playbook.tenant.blocked[0] = replace(playbook.tenant.blocked[0], sender="Adele@Contoso.COM")
    job = await run_job(playbook, user="ADELE@contoso.com")
    assert job.user == ADELE and job.status == "awaiting_release"


async def test_a_second_job_for_the_same_block_is_cancelled_naming_the_first(playbook):
    playbook.tenant.release_on_unblock = False      # the entry stays listed, like Microsoft's slow release
    first = await run_job(playbook)
    await playbook.service.admin.cancel(first.id, by=Identity("admin@contoso.com"))   # frees the user's active marker
    second = await run_job(playbook, trigger=SWEEP)
    assert second.status == "cancelled"
    assert f"already handled by job {first.id}; use force to run it again" in second.summary
    assert playbook.tenant.count("reset_password") == 1


async def test_force_runs_an_already_handled_block_again(playbook):
    playbook.tenant.release_on_unblock = False
    first = await run_job(playbook)
    await playbook.service.admin.cancel(first.id, by=Identity("admin@contoso.com"))
    second = await run_job(playbook, force=True)
    assert statuses(second)["reset_password"] == "done"
    assert f"Job {first.id} handled this block before" in second.step("confirm_block").detail


async def test_an_enforce_job_takes_a_block_over_from_a_dry_run_plan(playbook):
    plan = await run_job(playbook, mode="dry-run")
    assert plan.status == "planned"
    job = await run_job(playbook)
    assert job.status == "awaiting_release"
    assert await playbook.store.claimed("block", f"{ADELE}|{job.block['createdDatetime']}") == job.id


async def test_a_new_block_after_a_resolved_job_is_a_new_job(playbook):
    first = await run_job(playbook)
    await playbook.work(delayed=True)
    assert (await playbook.service.admin.get(first.id)).status == "resolved"
    playbook.clock.advance(days=10)
    playbook.tenant.block(ADELE, playbook.clock() - timedelta(minutes=5))
    second = await run_job(playbook, trigger=SWEEP)
    assert second.id != first.id and second.status == "awaiting_release"


async def test_a_user_named_by_object_id_is_resolved_by_the_worker(playbook):
    user = playbook.tenant.find(ADELE)
    job, created = await playbook.service.intake.request(user.id, Trigger("sentinel", alert_id="inc-1"))
    assert created and job.user == user.id.lower()
    await playbook.work()
    job = await playbook.service.admin.get(job.id)
    assert job.user == ADELE and job.status == "awaiting_release"
    assert await playbook.store.claimed("active", ADELE) == job.id
    assert await playbook.store.claimed("active", user.id) is None


async def test_an_object_id_of_a_user_with_an_active_job_ends_as_a_duplicate(playbook):
    first, _ = await playbook.service.intake.request(ADELE, ADMIN)
    other, _ = await playbook.service.intake.request(playbook.tenant.find(ADELE).id, Trigger("sentinel", alert_id="i"))
    await playbook.work()
    other = await playbook.service.admin.get(other.id)
    assert other.status == "cancelled" and f"already has an active job {first.id}" in other.summary
    assert playbook.tenant.count("reset_password") == 1


async def test_an_exchange_failure_fails_the_job_and_still_tells_the_team(playbook):
    from remediation.errors import PermissionError_
    playbook.tenant.fail_next("blocked_senders", PermissionError_("Access denied", service="exchange",
                                                                   permission="Exchange.ManageAsApp"))
    job = await run_job(playbook)
    assert job.status == "failed" and statuses(job)["confirm_block"] == "failed"
    assert "Exchange.ManageAsApp" in job.step("confirm_block").detail
    assert changes(playbook.tenant) == ["send_mail"]
    assert statuses(job)["reset_password"] == "skipped"
