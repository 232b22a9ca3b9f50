"""The follow-up check against the sandbox: the delayed message arrives and decides."""

from __future__ import annotations

from datetime import timedelta

import httpx

from remediation.models import iso
from remediation.records import Identity
from tests.integration.playbook.support import ADELE, EXECUTIVES, NESTOR


async def secured(live) -> str:
    job_id = await live.request(ADELE)
    await live.work()
    assert (await live.job(job_id)).status == "awaiting_release"
    return job_id


async def test_a_user_blocked_again_after_the_unblock_is_escalated_at_once_and_disabled(live, sandbox):
    live.env["DISABLE_ACCOUNT_ON_RECURRENCE"] = "true"
    job_id = await secured(live)
    reblocked = iso(live.clock() + timedelta(minutes=20))
    sandbox.control("POST", "blocks", {"sender": ADELE, "createdDatetime": reblocked})
    live.clock.advance(hours=1)
    await live.deliver()
    job = await live.job(job_id)
    assert job.status == "escalated" and f"was blocked again at {reblocked[:19]}" in job.summary
    assert sandbox.user(ADELE)["accountEnabled"] is False
    assert sandbox.state()["outbox"][-1]["message"]["subject"] == f"[Escalated] {ADELE}: follow-up check"
    assert (await live.queue.get_queue_properties()).approximate_message_count == 0


async def test_a_forwarding_rule_recreated_by_the_attacker_escalates(live, sandbox):
    job_id = await secured(live)
    sandbox.control("POST", f"users/{ADELE}/inbox-rules", {
        "displayName": "..", "isEnabled": True, "hidden": True,
        "actions": {"redirectTo": [{"emailAddress": {"address": "drop@mailbox.example"}}]}})
    live.clock.advance(hours=1)
    await live.deliver()
    job = await live.job(job_id)
    assert job.status == "escalated"
    assert "inbox rule '..' (hidden) is new: it redirects to drop@mailbox.example (outside the tenant)" in job.summary
    assert sandbox.user(ADELE)["accountEnabled"] is True       # DISABLE_ACCOUNT_ON_RECURRENCE is off


async def test_mailbox_forwarding_set_again_escalates(live, sandbox):
    job_id = await secured(live)
    sandbox.control("PUT", f"users/{ADELE}/mailbox", {"ForwardingSmtpAddress": "again@mailbox.example"})
    live.clock.advance(hours=1)
    await live.deliver()
    job = await live.job(job_id)
    assert job.status == "escalated" and "smtp:again@mailbox.example" in job.summary


async def test_still_blocked_at_24_hours_is_escalated(live, sandbox):
    scenario = sandbox.scenario()
    scenario["exchange"]["releaseDelaySeconds"] = 3 * 24 * 3600     # the entry stays listed after the Remove
    sandbox.load(scenario)
    job_id = await secured(live)
    live.clock.advance(hours=1)
    assert (await live.deliver())["attempt"] == 1
    job = await live.job(job_id)
    assert job.status == "awaiting_release" and job.checks[-1]["outcome"] == "still blocked"
    live.clock.advance(hours=23)
    assert (await live.deliver())["attempt"] == 2
    job = await live.job(job_id)
    assert job.status == "escalated" and "still on the blocked list 24 h after the unblock" in job.summary
    assert [check["outcome"] for check in job.checks] == ["still blocked", "escalated"]
    assert sandbox.state()["unblocks"] == {ADELE: 1}


async def test_a_protected_account_blocked_again_is_escalated_not_disabled(live, sandbox):
    live.env.update(DISABLE_ACCOUNT_ON_RECURRENCE="true", PROTECTED_ACCOUNTS=EXECUTIVES)
    job_id = await live.request(NESTOR)
    await live.work()
    assert (await live.job(job_id)).status == "awaiting_approval"
    await live.worker().admin.approve(job_id, by=Identity("ciso@contoso.com", "9d8e7f60-aaaa-4bbb-8ccc-ddddeeeeffff"))
    await live.work()
    assert (await live.job(job_id)).status == "awaiting_release"
    sandbox.control("POST", "blocks", {"sender": NESTOR, "createdDatetime": iso(live.clock() + timedelta(minutes=20))})
    live.clock.advance(hours=1)
    await live.deliver()
    job = await live.job(job_id)
    assert job.status == "escalated" and f"{EXECUTIVES} (PROTECTED_ACCOUNTS)" in job.summary
    assert "DISABLE_ACCOUNT_ON_RECURRENCE does not apply to a protected account, a human decides" in job.summary
    assert sandbox.user(NESTOR)["accountEnabled"] is True
    assert "disable account" not in [item.action for item in job.audit]


async def test_the_owners_archive_rule_the_job_left_disabled_turned_back_on_resolves(live, sandbox):
    owner_rule = sandbox.control("POST", f"users/{ADELE}/inbox-rules", {
        "displayName": "Old newsletters", "isEnabled": False, "actions": {"moveToFolder": "archive"}}).json()
    job_id = await secured(live)
    user_id = sandbox.user(ADELE)["id"]
    enabled = httpx.patch(f"{sandbox.url}/v1.0/users/{user_id}/mailFolders/inbox/messageRules/{owner_rule['id']}",
                          json={"isEnabled": True})
    assert enabled.status_code == 200, enabled.text
    live.clock.advance(hours=1)
    await live.deliver()
    job = await live.job(job_id)
    assert job.status == "resolved", job.summary
