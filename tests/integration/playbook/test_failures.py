"""A job that fails half-way, against Azurite and the sandbox: the team is told once what it
changed, and the sweep gives the block to a new job that takes its claim over."""

from __future__ import annotations

import pytest

from remediation.errors import TransientError
from remediation.models import Trigger
from tests.integration.playbook.support import ADELE

SWEEP = Trigger("sweep", requested_by="blocked-list sweep")


def failure_mails(sandbox) -> list[dict]:
    return [mail["message"] for mail in sandbox.state()["outbox"] if mail["message"]["subject"].startswith("[Failed]")]


async def test_a_failed_job_tells_the_team_once_and_its_block_goes_to_a_new_job_an_hour_later(live, sandbox):
    sandbox.fault(kind="503", method="POST", path="/revokeSignInSessions$", count=1)
    failed_id = await live.request(ADELE, SWEEP)
    with pytest.raises(TransientError, match=r"\(serviceNotAvailable\)$"):   # the last attempt the host allows
        await live.worker(RETRY_MAX_WAIT_SECONDS="0").worker.handle({"kind": "run", "jobId": failed_id}, 5, 5)
    failed = await live.job(failed_id)
    assert failed.status == "failed" and failed.step("revoke_sessions").status == "failed"
    assert await live.work() == [{"kind": "run", "jobId": failed_id}]   # the queued copy finds it ended
    [mail] = failure_mails(sandbox)
    assert mail["subject"] == f"[Failed] {ADELE}: remediation stopped"
    assert f"reset password {ADELE}: ok" in mail["body"]["content"]
    assert "Finish by hand what the job did not do: revoke_sessions, " in mail["body"]["content"]

    worker = live.worker()
    assert [job for job in await worker.schedules.sweep() if job.user == ADELE] == []   # not again within the hour
    live.clock.advance(minutes=61)
    [job] = [job for job in await worker.schedules.sweep() if job.user == ADELE]
    await worker.worker.handle({"kind": "run", "jobId": job.id}, 1, 5)
    job = await live.job(job.id)
    assert job.id != failed_id and job.status == "awaiting_release", job.summary
    assert await worker.context.ports.store.claimed("block", f"{ADELE}|{job.block['createdDatetime']}") == job.id
    assert len(sandbox.user(ADELE)["revocations"]) == 1 and len(failure_mails(sandbox)) == 1


async def test_a_reset_that_did_not_land_is_left_to_a_human_and_not_sent_again(live, sandbox):
    # A 504: Graph did not apply it, so lastPasswordChangeDateTime shows no change after the request.
    sandbox.fault(kind="504", method="PATCH", path=r"/v1\.0/users/[^/]+$", count=1)
    job_id = await live.request(ADELE, SWEEP)
    with pytest.raises(TransientError, match=r"\(gatewayTimeout\)$"):
        await live.worker(RETRY_MAX_WAIT_SECONDS="0").worker.handle({"kind": "run", "jobId": job_id}, 1, 5)
    await live.worker().worker.handle({"kind": "run", "jobId": job_id}, 2, 5)
    job = await live.job(job_id)
    assert job.step("reset_password").status == "manual" and "not repeated" in job.step("reset_password").detail
    assert job.status == "escalated" and sandbox.user(ADELE)["passwordChanges"] == []
    assert sandbox.state()["unblocks"] == {}
