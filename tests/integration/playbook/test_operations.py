"""The sweep, the alerts_v2 poll, the blocked list view and the deep health check, against the sandbox."""

from __future__ import annotations

from tests.integration.playbook.support import ADELE, ALEX, DIEGO, LEE, NESTOR


async def test_the_sweep_starts_one_job_per_blocked_sender_and_then_none(live, sandbox):
    worker = live.worker()
    jobs = await worker.schedules.sweep()
    assert sorted(job.user for job in jobs) == sorted([ADELE, LEE, DIEGO, NESTOR, ALEX])
    assert {job.trigger.source for job in jobs} == {"sweep"}
    assert await worker.schedules.sweep() == []
    listed = {item["senderAddress"]: item["jobStatus"] for item in await worker.admin.restricted_senders()}
    assert listed == {user: "queued" for user in (ADELE, LEE, DIEGO, NESTOR, ALEX)}


async def test_a_block_no_alert_reported_is_found_by_the_sweep(live, sandbox):
    sandbox.control("POST", "blocks", {"sender": "megan@contoso.com"})
    jobs = await live.worker().schedules.sweep()
    assert "megan@contoso.com" in [job.user for job in jobs]


async def test_the_security_alerts_poll_starts_a_job_for_the_alerted_user_once(live, sandbox):
    worker = live.worker()
    [job] = await worker.schedules.poll_security_alerts()
    assert (job.user, job.trigger.source) == (ADELE, "alerts_v2")
    assert job.trigger.alert_id == sandbox.state()["alerts"][0]["id"]
    assert await worker.schedules.poll_security_alerts() == []


async def test_the_deep_health_check_names_a_withheld_permission(live, sandbox):
    scenario = sandbox.scenario()
    scenario["permissions"]["withheld"] = ["Domain.Read.All"]
    sandbox.load(scenario)
    checks = (await live.worker().health.check(deep=True))["checks"]
    assert checks["storage"] == {"ok": True} and checks["exchange.blockedSenders"] == {"ok": True}
    assert checks["graph.domains"]["ok"] is False and checks["graph.domains"]["permission"] == "Domain.Read.All"
