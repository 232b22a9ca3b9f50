"""The watch after `resolved`: a check every WATCH_INTERVAL_SECONDS for WATCH_DAYS, each a delayed message."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from remediation.models import iso
from remediation.tenant import MailboxForwarding
from tests.plugins.playbook import ADELE
from tests.unit.playbook.helpers import run_job

WATCH_SUBJECT = f"[Escalated] {ADELE}: came back during the watch"


async def deliver(playbook) -> dict:
    """Deliver the next queued message (moving the clock by its delay); the message."""
    body, delay = playbook.queue.sent.pop(0)
    playbook.clock.advance(seconds=delay)
    await playbook.service.worker.handle(body, 1, 5)
    return body


async def resolved(playbook):
    job = await run_job(playbook)
    body = await deliver(playbook)
    assert body["kind"] == "follow_up"
    job = await playbook.service.admin.get(job.id)
    assert job.status == "resolved"
    return job


def watch_mails(playbook) -> list[dict]:
    return [mail for mail in playbook.tenant.outbox if mail["subject"] == WATCH_SUBJECT]


async def test_a_clean_watch_checks_every_interval_until_watch_days_and_says_so(playbook):
    job = await resolved(playbook)
    assert playbook.queue.sent == [({"kind": "watch", "jobId": job.id, "check": 1}, 86400)]
    assert job.watch["until"] == iso(playbook.clock() + timedelta(days=7)) and job.watch["outcome"] == "watching"
    await playbook.work(delayed=True)
    job = await playbook.service.admin.get(job.id)
    assert (job.status, job.watch["checksMade"], job.watch["findings"], job.watch["outcome"]) == (
        "resolved", 7, [], "clean")
    assert job.to_json()["watch"] == job.watch and watch_mails(playbook) == []


async def test_a_rule_enabled_again_escalates_and_mails_once(playbook):
    job = await resolved(playbook)
    playbook.tenant.rule_by(ADELE, "fwd")["isEnabled"] = True
    await deliver(playbook)
    await deliver(playbook)   # the second check finds the same rule: no second mail
    job = await playbook.service.admin.get(job.id)
    assert job.status == "escalated" and job.watch["checksMade"] == 2
    assert len(job.watch["findings"]) == 1 and "is enabled again" in job.watch["findings"][0]["what"]
    assert job.watch["findings"][0]["at"] == iso(playbook.clock() - timedelta(days=1))
    assert len(watch_mails(playbook)) == 1


async def test_forwarding_set_again_is_a_finding(playbook):
    job = await resolved(playbook)
    playbook.tenant.find(ADELE).forwarding = MailboxForwarding("smtp:again@evil.example", None, True)
    await deliver(playbook)
    job = await playbook.service.admin.get(job.id)
    assert job.status == "escalated"
    assert job.watch["findings"][0]["what"] == ("mailbox forwarding is set again: ForwardingSmtpAddress "
                                                "smtp:again@evil.example, DeliverToMailboxAndForward True")
    assert "smtp:again@evil.example" in watch_mails(playbook)[0]["body"]


async def test_an_authentication_method_added_after_the_resolution_is_a_finding(playbook):
    job = await resolved(playbook)
    playbook.tenant.find(ADELE).methods.append({
        "@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod", "id": "7f6e5d4c",
        "displayName": "<b>iPhone</b>", "createdDateTime": iso(playbook.clock() + timedelta(hours=3))})
    await deliver(playbook)
    job = await playbook.service.admin.get(job.id)
    assert job.status == "escalated"
    assert "<b>iPhone</b> was added at" in job.watch["findings"][0]["what"]
    assert "&lt;b&gt;iPhone&lt;/b&gt;" in watch_mails(playbook)[0]["body"]


async def test_a_new_block_starts_a_new_job_linked_both_ways(playbook):
    job = await resolved(playbook)
    playbook.tenant.block(ADELE, playbook.clock() + timedelta(hours=5))
    await deliver(playbook)
    job = await playbook.service.admin.get(job.id)
    assert job.status == "escalated" and len(job.linked_jobs) == 1
    new = await playbook.service.admin.get(job.linked_jobs[0])
    assert new.id != job.id and new.linked_jobs == [job.id] and new.trigger.source == "watch"
    assert f"during the watch of job {job.id}" in new.trigger.reason


async def test_a_dry_run_gets_no_watch(playbook):
    job = await run_job(playbook, mode="dry-run")
    assert job.status == "planned" and job.watch is None
    assert not [body for body, _ in playbook.queue.sent if body["kind"] == "watch"]


async def test_a_redelivered_check_message_mails_nothing_twice(playbook):
    job = await resolved(playbook)
    playbook.tenant.rule_by(ADELE, "fwd")["isEnabled"] = True
    body, delay = playbook.queue.sent[0]
    await deliver(playbook)
    await playbook.service.worker.handle(body, 2, 5)   # the same message again
    job = await playbook.service.admin.get(job.id)
    assert job.watch["checksMade"] == 1 and len(watch_mails(playbook)) == 1
    assert [queued["check"] for queued, _ in playbook.queue.sent] == [2]


async def test_watch_days_zero_means_no_watch(playbook):
    playbook.settings = replace(playbook.settings, watch_days=0)
    job = await resolved(playbook)
    assert job.watch is None and playbook.queue.sent == []


async def test_the_users_own_new_password_is_not_a_finding(playbook):
    job = await resolved(playbook)
    password = next(item for item in playbook.tenant.find(ADELE).methods if "password" in item["@odata.type"])
    password["createdDateTime"] = iso(playbook.clock() + timedelta(hours=1))   # changed at the next sign-in
    await deliver(playbook)
    job = await playbook.service.admin.get(job.id)
    assert job.status == "resolved" and job.watch["findings"] == []
