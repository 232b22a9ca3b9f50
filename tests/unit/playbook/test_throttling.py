"""A service that throttles for longer than the gateway waits inline: the message comes back
after the Retry-After (15 min at most) instead of the host's quick retries using up the attempts."""

from __future__ import annotations

import pytest

from remediation.errors import ThrottledError
from tests.plugins.playbook import ADELE
from tests.unit.playbook.helpers import ADMIN


def throttled(retry_after: float | None) -> ThrottledError:
    return ThrottledError("Application is over its MailboxConcurrency limit.", service="graph",
                          retry_after=retry_after)


async def first_run(playbook) -> tuple[str, dict]:
    job, _ = await playbook.service.intake.request(ADELE, ADMIN)
    [(message, _)] = playbook.queue.take()
    return job.id, message


@pytest.mark.parametrize("retry_after, delay", [(120, 120), (90.2, 91), (3600, 900)])
async def test_a_long_throttle_sends_the_message_back_after_its_retry_after(playbook, retry_after, delay):
    job_id, message = await first_run(playbook)
    playbook.tenant.fail_next("reset_password", throttled(retry_after))
    await playbook.service.worker.handle(message, 1, 5)            # no error: the host deletes this copy
    assert playbook.queue.sent == [({"kind": "run", "jobId": job_id, "deferrals": 1}, delay)]
    await playbook.work(delayed=True)
    job = await playbook.service.admin.get(job_id)
    assert job.status == "resolved" and job.step("reset_password").status == "done"
    assert len(playbook.tenant.passwords[playbook.tenant.find(ADELE).id]) == 1


async def test_a_short_throttle_is_left_to_the_hosts_retry(playbook):
    _, message = await first_run(playbook)
    playbook.tenant.fail_next("reset_password", throttled(playbook.settings.retry_max_wait_seconds))
    with pytest.raises(ThrottledError, match="MailboxConcurrency limit"):
        await playbook.service.worker.handle(message, 1, 5)
    assert playbook.queue.sent == []


async def test_after_eight_deferrals_a_throttle_fails_like_any_error(playbook):
    job_id, message = await first_run(playbook)
    for count in range(1, 9):
        playbook.tenant.fail_next("reset_password", throttled(600))
        await playbook.service.worker.handle(message, 1, 5)
        [(message, delay)] = playbook.queue.take()
        assert message["deferrals"] == count and delay == 600
    playbook.tenant.fail_next("reset_password", throttled(600))
    with pytest.raises(ThrottledError, match="MailboxConcurrency limit"):
        await playbook.service.worker.handle(message, 5, 5)
    assert (await playbook.service.admin.get(job_id)).status == "failed" and playbook.queue.sent == []


async def test_a_throttled_follow_up_is_deferred_with_its_attempt(playbook):
    job_id, message = await first_run(playbook)
    await playbook.service.worker.handle(message, 1, 5)
    [(follow_up, _)] = playbook.queue.take()
    playbook.tenant.fail_next("blocked_senders", throttled(300))
    await playbook.service.worker.handle(follow_up, 1, 5)
    assert playbook.queue.sent == [({**follow_up, "deferrals": 1}, 300)]
