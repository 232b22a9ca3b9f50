"""The services beyond the playbook: job identity, intake, the sweep, reports and health."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from remediation.errors import PermissionError_
from remediation.models import Trigger, parse_iso
from remediation.ports import QueuedMessage
from remediation.tenant import SecurityAlert
from tests.plugins.playbook import ADELE
from tests.unit.playbook.helpers import ADMIN, SWEEP, run_job


async def test_a_second_request_returns_the_active_job(playbook):
    first, created = await playbook.service.intake.request(ADELE, ADMIN)
    again, created_again = await playbook.service.intake.request("Adele@Contoso.com ", SWEEP)
    assert created and not created_again and again.id == first.id
    assert [m["kind"] for m, _ in playbook.queue.sent] == ["run"]


async def test_concurrent_requests_make_one_job(playbook):
    results = await asyncio.gather(*(playbook.worker().intake.request(ADELE, SWEEP) for _ in range(5)))
    assert len({job.id for job, _ in results}) == 1 and sum(created for _, created in results) == 1
    assert len(playbook.store.jobs) == 1


async def test_an_alert_seen_twice_returns_the_job_it_started_even_after_it_ended(playbook):
    trigger = Trigger("azure-monitor", alert_id="alert-1")
    first = await run_job(playbook, trigger=trigger)
    await playbook.work(delayed=True)
    again, created = await playbook.service.intake.request(ADELE, trigger)
    assert not created and again.id == first.id and again.status == "resolved"


async def test_a_marker_whose_job_was_never_saved_is_adopted_by_the_next_request(playbook):
    await playbook.store.claim("active", ADELE, "a-job-that-was-never-saved")
    job, created = await playbook.service.intake.request(ADELE, ADMIN)
    assert created and job.id == "a-job-that-was-never-saved"
    assert await playbook.store.claimed("active", ADELE) == job.id and len(playbook.store.jobs) == 1


async def test_new_jobs_start_queued_in_the_configured_mode_with_their_trigger(playbook):
    job, _ = await playbook.worker(mode="dry-run").intake.request(ADELE, ADMIN)
    assert (job.status, job.mode, job.trigger.requested_by) == ("queued", "dry-run", "admin@contoso.com")
    forced, _ = await playbook.service.intake.request("megan@contoso.com", ADMIN, mode="enforce", force=True)
    assert forced.mode == "enforce" and forced.force


async def test_content_notifications_are_enqueued_once_per_content_id(playbook):
    pointers = [{"contentId": f"c{n}", "contentUri": f"https://manage.office.com/api/v1.0/t/activity/feed/c{n}",
                 "tenantId": "t", "contentType": "Audit.General"} for n in range(2)]
    assert await playbook.service.intake.enqueue_content(pointers) == 2
    assert await playbook.service.intake.enqueue_content(pointers[:1]) == 0
    assert [m for m, _ in playbook.queue.sent] == [
        {"kind": "fetch_content", "contentId": "c0", "contentUri": pointers[0]["contentUri"], "tenantId": "t"},
        {"kind": "fetch_content", "contentId": "c1", "contentUri": pointers[1]["contentUri"], "tenantId": "t"}]


class FakeManagement:
    def __init__(self, records):
        self.records = records
        self.fetched = []

    async def fetch_content(self, uri):
        self.fetched.append(uri)
        return self.records


def alert_record(user: str, alert_id: str, name: str = "User restricted from sending email") -> dict:
    return {"Operation": "AlertEntityGenerated", "Name": name, "AlertId": alert_id, "EntityType": "User",
            "ObjectId": user}


async def test_fetched_content_starts_a_job_per_alerted_user_once(playbook):
    management = FakeManagement([alert_record(ADELE, "a1"), alert_record(ADELE, "a1"),
                                 alert_record("megan@contoso.com", "a2", name="Another alert")])
    worker = playbook.worker()
    worker.worker.management = management
    message = {"kind": "fetch_content", "contentId": "c0", "contentUri": "https://manage.office.com/x"}
    await worker.worker.handle(message, 1, 5)
    await worker.worker.handle(message, 2, 5)
    jobs = list(playbook.store.jobs.values())
    assert len(jobs) == 1 and jobs[0][0]["trigger"] == {"source": "o365", "alertId": "a1",
                                                       "requestedBy": "Office 365 Management Activity API",
                                                       "reason": None, "requestedById": None}
    assert management.fetched == ["https://manage.office.com/x"] * 2


async def test_the_sweep_starts_jobs_for_blocked_senders_without_one(playbook):
    playbook.tenant.add_user("megan2@contoso.com")
    playbook.tenant.block("megan2@contoso.com", playbook.clock())
    busy, _ = await playbook.service.intake.request(ADELE, ADMIN)
    jobs = await playbook.service.schedules.sweep()
    assert [job.user for job in jobs] == ["megan2@contoso.com"] and jobs[0].trigger.source == "sweep"
    assert await playbook.service.schedules.sweep() == []
    assert busy.id not in [job.id for job in jobs]


async def test_the_sweep_does_not_restart_a_block_that_a_job_already_handled(playbook):
    playbook.tenant.unblock_limit = 0          # the job escalates and the entry stays listed
    job = await run_job(playbook, trigger=SWEEP)
    assert job.status == "escalated"
    assert await playbook.service.schedules.sweep() == []


async def resolved_with_its_marker_left(playbook):
    """A resolved job whose worker died before it released the user's active marker."""
    first = await run_job(playbook, trigger=SWEEP)
    await playbook.work(delayed=True)
    assert (await playbook.service.admin.get(first.id)).status == "resolved"
    assert await playbook.store.claim("active", ADELE, first.id) is None
    return first


async def test_the_sweep_is_not_stopped_by_the_marker_of_an_ended_job(playbook):
    first = await resolved_with_its_marker_left(playbook)
    playbook.clock.advance(days=10)
    playbook.tenant.block(ADELE, playbook.clock() - timedelta(minutes=5))
    [job] = await playbook.service.schedules.sweep()
    assert job.id != first.id and await playbook.store.claimed("active", ADELE) == job.id


async def test_a_run_message_for_an_ended_job_releases_its_marker(playbook):
    first = await resolved_with_its_marker_left(playbook)
    await playbook.service.worker.handle({"kind": "run", "jobId": first.id}, 2, 5)
    assert await playbook.store.claimed("active", ADELE) is None
    assert (await playbook.service.admin.get(first.id)).status == "resolved"


async def test_the_sweep_re_drives_stuck_jobs(playbook):
    job, _ = await playbook.service.intake.request(ADELE, ADMIN)
    playbook.queue.take()                          # the run message got lost
    assert await playbook.service.schedules.sweep() == []
    playbook.clock.advance(minutes=20)
    assert [j.id for j in await playbook.service.schedules.sweep()] == [job.id]
    await playbook.work()
    job = await playbook.service.admin.get(job.id)
    assert job.status == "awaiting_release"
    playbook.queue.take()                          # the follow-up got lost too
    playbook.clock.advance(hours=2)
    assert [j.id for j in await playbook.service.schedules.sweep()] == [job.id]
    assert playbook.queue.sent == [({"kind": "follow_up", "jobId": job.id, "attempt": 1}, 0)]


async def test_an_overdue_follow_up_is_re_driven_once_per_stale_period_not_every_sweep(playbook):
    job = await run_job(playbook)
    playbook.queue.take()                          # the follow-up message got lost
    playbook.clock.advance(hours=2)
    assert [j.id for j in await playbook.service.schedules.sweep()] == [job.id]
    assert (await playbook.service.admin.get(job.id)).follow_up_due_at == "2026-11-28T10:00:00Z"
    for _ in range(14):                            # an outage: the check does not run, the sweep goes on
        playbook.clock.advance(minutes=1)
        assert await playbook.service.schedules.sweep() == []
    playbook.clock.advance(minutes=2)
    assert [j.id for j in await playbook.service.schedules.sweep()] == [job.id]
    assert [message["kind"] for message, _ in playbook.queue.sent] == ["follow_up", "follow_up"]


async def test_two_sweeps_at_once_re_drive_an_overdue_follow_up_once(playbook):
    job = await run_job(playbook)
    playbook.queue.take()
    playbook.clock.advance(hours=2)
    results = await asyncio.gather(playbook.worker().schedules.sweep(), playbook.worker().schedules.sweep())
    assert sorted(len(found) for found in results) == [0, 1]
    assert playbook.queue.sent == [({"kind": "follow_up", "jobId": job.id, "attempt": 1}, 0)]


async def test_the_restricted_senders_list_names_each_blocks_job(playbook):
    playbook.tenant.add_user("megan2@contoso.com")
    playbook.tenant.block("megan2@contoso.com", playbook.clock())
    playbook.tenant.release_on_unblock = False
    job = await run_job(playbook)
    listed = {item["senderAddress"]: (item["jobId"], item["jobStatus"])
              for item in await playbook.service.admin.restricted_senders()}
    assert listed == {ADELE: (job.id, "awaiting_release"), "megan2@contoso.com": (None, None)}


async def test_the_poison_report_names_the_jobs(playbook):
    job = await run_job(playbook)
    playbook.queue.poison = [QueuedMessage("m1", {"kind": "run", "jobId": job.id}, 5),
                             QueuedMessage("m2", {"raw": "not json"}, 5)]
    report = await playbook.service.schedules.poison_report()
    assert [(r["messageId"], r["kind"], r["jobId"], r["jobStatus"]) for r in report] == [
        ("m1", "run", job.id, "awaiting_release"), ("m2", None, None, None)]


async def test_security_alerts_start_jobs_and_move_the_watermark(playbook):
    alerts = [SecurityAlert("da1", "User restricted from sending email", parse_iso("2026-11-28T07:55:00Z"), (ADELE,))]
    asked = []

    async def security_alerts(since, source):
        asked.append((since, source))
        return alerts
    playbook.tenant.directory.security_alerts = security_alerts
    jobs = await playbook.service.schedules.poll_security_alerts()
    assert [job.trigger.alert_id for job in jobs] == ["da1"]
    assert await playbook.service.schedules.poll_security_alerts() == []
    assert asked[0][0] == playbook.clock() - timedelta(days=1)
    assert asked[1][0].isoformat() == "2026-11-28T07:55:00+00:00"
    assert asked[0][1] == "microsoftDefenderForOffice365"


async def test_health_checks_storage_and_settings_and_deep_probes_name_permissions(playbook):
    health = await playbook.service.health.check()
    assert health["checks"]["storage"] == {"ok": True}
    assert set(health["checks"]) == {"settings", "storage"}
    playbook.tenant.fail_next("blocked_senders", PermissionError_("Access denied", service="exchange",
                                                                   permission="Exchange.ManageAsApp"))
    deep = (await playbook.service.health.check(deep=True))["checks"]
    assert deep["graph.domains"] == {"ok": True}
    assert deep["exchange.blockedSenders"]["ok"] is False
    assert deep["exchange.blockedSenders"]["permission"] == "Exchange.ManageAsApp"


async def test_status_is_the_mode_and_the_breakers_count_this_hour_read_without_counting(playbook):
    context = playbook.service.context
    limit = context.settings.breaker_max_jobs_per_hour
    for _ in range(limit + 1):
        await context.ports.store.add_automatic_job(context.clock())
    status = await playbook.service.health.status()
    assert status == {"mode": context.settings.mode,
                      "breaker": {"open": True, "automaticJobsThisHour": limit + 1, "maxJobsPerHour": limit}}
    assert (await playbook.service.health.status())["breaker"]["automaticJobsThisHour"] == limit + 1


async def test_an_unknown_message_is_dropped_and_a_missing_job_fails_nothing(playbook, caplog):
    await playbook.service.worker.handle({"kind": "mystery"}, 1, 5)
    await playbook.service.worker.handle({"kind": "run", "jobId": "no-such-job"}, 1, 5)
    assert "unknown kind 'mystery'" in caplog.text and "no-such-job" in caplog.text


async def test_a_run_message_without_a_job_id_is_dropped(playbook, caplog):
    await playbook.service.worker.handle({"kind": "run"}, 1, 5)
    assert "without a jobId" in caplog.text and playbook.tenant.calls == []


async def test_content_the_fetcher_refuses_is_dropped_not_retried(playbook, caplog):
    from remediation.errors import RequestError

    class Refusing:
        async def fetch_content(self, uri):
            raise RequestError(f"refused to fetch {uri}: not under the tenant's activity feed")
    worker = playbook.worker()
    worker.worker.management = Refusing()
    message = {"kind": "fetch_content", "contentId": "c9", "contentUri": "https://manage.office.com/x"}
    await worker.worker.handle(message, 1, 5)
    assert "dropped content c9" in caplog.text and playbook.store.jobs == {}
