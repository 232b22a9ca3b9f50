"""Resumable and idempotent: a redelivered message continues at the first unfinished step and
never repeats a change; two workers never run one step; the last attempt marks the job failed."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest

from remediation.errors import ThrottledError, TransientError
from remediation.models import STEP_NAMES
from tests.plugins.playbook import ADELE
from tests.unit.fakes import Crash
from tests.unit.playbook.helpers import ADMIN, changes, statuses

# The write each step makes, as the fake tenant names it.
WRITES = {"reset_password": "reset_password", "revoke_sessions": "revoke_sessions",
          "inbox_rules": "graph.disable_inbox_rule", "mailbox_forwarding": "clear_mailbox_forwarding",
          "mailbox_delegates": "remove_delegate", "auth_methods": "delete_auth_method",
          "legacy_protocols": "set_cas_settings", "unblock_sender": "unblock", "notify": "send_mail"}
ONCE = ("reset_password", "graph.disable_inbox_rule", "exchange.disable_inbox_rule", "clear_mailbox_forwarding",
        "remove_delegate", "delete_auth_method", "set_cas_settings", "unblock", "send_mail")


async def first_message(playbook) -> tuple[str, dict]:
    job, _ = await playbook.service.intake.request(ADELE, ADMIN)
    [(message, _)] = playbook.queue.take()
    return job.id, message


async def crash(playbook, message: dict, at: str) -> None:
    """Deliver `message` to a worker that dies at `at` (the call or step named by the Crash)."""
    with pytest.raises(Crash, match=f"^{re.escape(at)}$"):
        await playbook.worker().worker.handle(message, 1, 5)


@pytest.mark.parametrize("step", list(WRITES))
async def test_a_crash_right_after_a_change_resumes_without_repeating_it(playbook, step):
    job_id, message = await first_message(playbook)
    playbook.tenant.crash_after(WRITES[step])
    await crash(playbook, message, WRITES[step])
    await playbook.worker().worker.handle(message, 2, 5)      # the redelivery, in a new worker
    job = await playbook.service.admin.get(job_id)
    for name in ONCE:
        assert playbook.tenant.count(name) <= 1, f"{name} repeated after a crash in {step}"
    assert all(job.step(name).finished for name in STEP_NAMES[:-1])
    if step == "reset_password":
        # The interrupted reset is never repeated: lastPasswordChangeDateTime shows it took effect.
        assert job.step("reset_password").status == "done" and "took effect" in job.step("reset_password").detail
    assert job.status == "awaiting_release", job.summary
    if step == "revoke_sessions":
        assert playbook.tenant.revocations[playbook.tenant.find(ADELE).id] == 2   # harmless, and safer


@pytest.mark.parametrize("step", STEP_NAMES[:-1])
async def test_a_crash_between_steps_resumes_at_the_next_one(playbook, step):
    job_id, message = await first_message(playbook)
    saves = 0
    original = playbook.store.save

    async def dies_after_the_step_is_saved(job):
        nonlocal saves
        saved = await original(job)
        if job.step(step).finished and not saves:
            saves += 1
            raise Crash(step)
        return saved
    playbook.store.save = dies_after_the_step_is_saved
    await crash(playbook, message, step)
    playbook.store.save = original
    await playbook.worker().worker.handle(message, 2, 5)
    job = await playbook.service.admin.get(job_id)
    assert job.status == "awaiting_release"
    assert [playbook.tenant.count(name) for name in ONCE] == [1] * len(ONCE)


async def test_an_interrupted_unblock_is_not_repeated_and_is_verified_by_the_follow_up(playbook):
    playbook.tenant.release_on_unblock = False
    job_id, message = await first_message(playbook)
    playbook.tenant.crash_after("unblock")
    await crash(playbook, message, "unblock")
    await playbook.worker().worker.handle(message, 2, 5)
    job = await playbook.service.admin.get(job_id)
    assert job.step("unblock_sender").data["verify"] is True and job.unblocked_at
    assert playbook.tenant.count("unblock") == 1
    assert await playbook.store.unblocks_since(ADELE, playbook.clock() - timedelta(days=1)) == 1


async def test_two_workers_on_one_job_run_each_change_once(playbook, caplog):
    job_id, message = await first_message(playbook)
    caplog.set_level("INFO", logger="remediation")
    await asyncio.gather(playbook.worker().worker.handle(message, 1, 5),
                         playbook.worker().worker.handle(dict(message), 1, 5))
    assert "is being run by another worker" in caplog.text     # they did meet, and one gave way
    job = await playbook.service.admin.get(job_id)
    assert job.status == "awaiting_release"
    assert changes(playbook.tenant) == ["reset_password", "revoke_sessions", "graph.disable_inbox_rule",
                                        "exchange.disable_inbox_rule", "clear_mailbox_forwarding", "remove_delegate",
                                        "delete_auth_method", "set_cas_settings", "confirm_compromised", "unblock",
                                        "send_mail"]
    assert len([m for m, _ in playbook.queue.sent if m["kind"] == "follow_up"]) == 1


async def test_a_worker_finding_a_fresh_step_of_another_worker_stops(playbook):
    job_id, message = await first_message(playbook)
    playbook.tenant.crash_after("revoke_sessions")
    await crash(playbook, message, "revoke_sessions")
    calls = len(playbook.tenant.calls)
    await playbook.worker().worker.handle({"kind": "run", "jobId": job_id}, 1, 5)   # another message, first delivery
    assert len(playbook.tenant.calls) == calls
    assert (await playbook.service.admin.get(job_id)).status == "running"


async def test_a_stale_step_is_taken_over_even_by_a_first_delivery(playbook):
    job_id, message = await first_message(playbook)
    playbook.tenant.crash_after("revoke_sessions")
    await crash(playbook, message, "revoke_sessions")
    playbook.clock.advance(minutes=playbook.settings.stale_job_minutes + 1)
    await playbook.worker().worker.handle({"kind": "run", "jobId": job_id}, 1, 5)
    assert (await playbook.service.admin.get(job_id)).status == "awaiting_release"


async def test_a_transient_error_reaches_the_host_and_the_retry_goes_on(playbook):
    job_id, message = await first_message(playbook)
    playbook.tenant.fail_next("exchange.inbox_rules", TransientError("503 Service Unavailable", service="exchange"))
    with pytest.raises(TransientError, match="503 Service Unavailable"):
        await playbook.worker().worker.handle(message, 1, 5)
    assert (await playbook.service.admin.get(job_id)).status == "running"
    await playbook.worker().worker.handle(message, 2, 5)
    job = await playbook.service.admin.get(job_id)
    assert job.status == "awaiting_release" and playbook.tenant.count("reset_password") == 1


async def test_the_last_attempt_marks_the_job_failed_then_reraises(playbook):
    job_id, message = await first_message(playbook)
    playbook.tenant.fail_next("mailbox_forwarding", TransientError("503", service="exchange"))
    with pytest.raises(TransientError, match="^exchange: 503$"):
        await playbook.worker().worker.handle(message, 1, 5)
    playbook.tenant.fail_next("mailbox_forwarding", TransientError("still 503", service="exchange"))
    with pytest.raises(TransientError, match="^exchange: still 503$"):
        await playbook.worker().worker.handle(message, 5, 5)
    job = await playbook.service.admin.get(job_id)
    assert job.status == "failed" and "gave up after 5 attempts: exchange: still 503" in job.summary
    assert statuses(job)["mailbox_forwarding"] == "failed"
    assert statuses(job)["app_consents"] == "pending"
    assert await playbook.store.claimed("active", ADELE) is None


async def test_a_throttled_unblock_lifts_its_mark_so_the_retry_unblocks(playbook):
    job_id, message = await first_message(playbook)
    playbook.tenant.fail_next("unblock", ThrottledError("429", retry_after=1))
    with pytest.raises(ThrottledError, match="^429$"):
        await playbook.worker().worker.handle(message, 1, 5)
    await playbook.worker().worker.handle(message, 2, 5)
    job = await playbook.service.admin.get(job_id)
    assert job.status == "awaiting_release" and "verify" not in job.step("unblock_sender").data
    assert playbook.tenant.unblocks == {ADELE: 1}


async def test_a_redelivered_message_of_a_finished_job_changes_nothing(playbook):
    job_id, message = await first_message(playbook)
    await playbook.worker().worker.handle(message, 1, 5)
    before = await playbook.service.admin.get(job_id)
    await playbook.worker().worker.handle(message, 2, 5)
    after = await playbook.service.admin.get(job_id)
    assert after.etag == before.etag and playbook.tenant.count("reset_password") == 1
