"""The watch against Azurite and the sandbox: delayed check messages, a rule the attacker turns back on."""

from __future__ import annotations

from tests.integration.playbook.support import ADELE

HIDDEN_FORWARD = "AQAAAJ5dZqA="   # Adele's forwarding rule in the test scenario, which the job disables


async def test_a_rule_turned_back_on_is_found_by_the_next_check_and_mailed_once(live, sandbox):
    worker = live.worker(WATCH_INTERVAL_SECONDS="1", WATCH_DAYS="1")
    job_id = await live.request(ADELE)
    await live.work(worker)
    assert await live.deliver(worker) == {"kind": "follow_up", "jobId": job_id, "attempt": 1}
    job = await live.job(job_id)
    assert job.status == "resolved" and job.watch["intervalSeconds"] == 1

    sandbox.control("POST", f"users/{ADELE}/inbox-rules/{HIDDEN_FORWARD}/enable")
    assert await live.deliver(worker) == {"kind": "watch", "jobId": job_id, "check": 1}
    job = await live.job(job_id)
    assert job.status == "escalated" and job.watch["checksMade"] == 1
    assert "is enabled again" in job.watch["findings"][0]["what"], job.watch["findings"]
    assert len(job.watch["findings"]) == 1, job.watch["findings"]
    subjects = [mail["message"]["subject"] for mail in sandbox.state()["outbox"]]
    assert subjects.count(f"[Escalated] {ADELE}: came back during the watch") == 1
