"""unblock_sender: only a secured account, within the budget, once; the cap escalates."""

from __future__ import annotations

from datetime import timedelta

import pytest

from remediation.errors import PermissionError_
from tests.plugins.playbook import ADELE
from tests.unit.fakes import Crash
from tests.unit.playbook.helpers import SWEEP, changes, run_job, statuses


async def test_the_unblock_budget_escalates_an_automatic_job(playbook):
    await playbook.store.record_unblock(ADELE, playbook.clock() - timedelta(days=3), "an-earlier-job")
    job = await run_job(playbook, trigger=SWEEP)
    assert statuses(job)["unblock_sender"] == "skipped"
    assert "unblock budget is used up: 1 unblock(s) of adele@contoso.com in the last 7 day(s)" in job.summary
    assert job.status == "escalated"
    assert "unblock" not in changes(playbook.tenant)
    assert statuses(job)["reset_password"] == "done" and statuses(job)["notify"] == "done"
    assert playbook.queue.sent == []        # no follow-up without an unblock


async def test_unblocks_older_than_the_window_do_not_count(playbook):
    await playbook.store.record_unblock(ADELE, playbook.clock() - timedelta(days=8), "an-old-job")
    job = await run_job(playbook, trigger=SWEEP)
    assert job.status == "awaiting_release"


async def test_the_budget_limits_automatic_unblocks_not_an_admins_request(playbook):
    await playbook.store.record_unblock(ADELE, playbook.clock() - timedelta(days=1), "an-earlier-job")
    job = await run_job(playbook)
    assert job.status == "awaiting_release"


async def test_every_unblock_is_counted(playbook):
    job = await run_job(playbook)
    assert await playbook.store.unblocks_since(ADELE, playbook.clock() - timedelta(minutes=1)) == 1
    assert playbook.store.unblocks[0][2] == job.id


async def test_the_unblock_cap_escalates_and_is_not_retried(playbook):
    playbook.tenant.unblock_limit = 0
    job = await run_job(playbook)
    step = job.step("unblock_sender")
    assert step.status == "failed" and step.data["cap"] is True
    assert "unblock limit for this sender has been reached" in step.detail and "Microsoft Support" in step.detail
    assert job.status == "escalated"
    assert playbook.tenant.count("unblock") == 1
    assert await playbook.store.unblocks_since(ADELE, playbook.clock() - timedelta(days=1)) == 0


async def test_no_unblock_unless_every_securing_step_is_done(playbook):
    playbook.tenant.fail_next("clear_mailbox_forwarding", PermissionError_("Access denied", service="exchange"))
    job = await run_job(playbook)
    assert statuses(job)["mailbox_forwarding"] == "failed"
    assert "mailbox_forwarding is failed" in job.step("unblock_sender").detail
    assert job.status == "escalated" and "unblock" not in changes(playbook.tenant)


async def test_a_user_already_released_by_someone_else_is_not_unblocked_again(playbook):
    playbook.tenant.fail_next("unblock", AssertionError("must not be called"))
    job, _ = await playbook.service.intake.request(ADELE, SWEEP)
    [(message, _)] = playbook.queue.take()
    original = playbook.tenant.exchange.blocked_senders
    calls = 0

    async def released_after_confirmation(sender=None):
        nonlocal calls
        calls += 1
        return await original(sender) if calls == 1 else []
    playbook.tenant.exchange.blocked_senders = released_after_confirmation
    await playbook.service.worker.handle(message, 1, 5)
    job = await playbook.service.admin.get(job.id)
    assert job.step("unblock_sender").data["alreadyReleased"] is True
    assert job.status == "awaiting_release" and playbook.tenant.count("unblock") == 0


async def test_a_sender_released_between_the_check_and_the_remove_is_done_not_failed(playbook):
    from remediation.errors import NotFoundError
    playbook.tenant.fail_next("unblock", NotFoundError("adele@contoso.com isn't on the blocked senders list.",
                                                       service="exchange"))
    job = await run_job(playbook)
    assert job.step("unblock_sender").data["alreadyReleased"] is True and job.status == "awaiting_release"


async def test_an_unblock_counted_just_before_a_crash_is_counted_once(playbook):
    job, _ = await playbook.service.intake.request(ADELE, SWEEP)
    [(message, _)] = playbook.queue.take()
    original = playbook.store.save

    async def dies_before_the_count_is_checkpointed(saved_job):
        if saved_job.step("unblock_sender").data.get("unblockRecorded"):
            playbook.store.save = original
            raise Crash("after record_unblock")
        return await original(saved_job)
    playbook.store.save = dies_before_the_count_is_checkpointed
    with pytest.raises(Crash, match="^after record_unblock$"):
        await playbook.service.worker.handle(message, 1, 5)
    playbook.clock.advance(minutes=5)                     # the redelivery comes later
    await playbook.service.worker.handle(message, 2, 5)
    assert (await playbook.service.admin.get(job.id)).status == "awaiting_release"
    assert await playbook.store.unblocks_since(ADELE, playbook.clock() - timedelta(days=1)) == 1
    assert playbook.tenant.count("unblock") == 1
