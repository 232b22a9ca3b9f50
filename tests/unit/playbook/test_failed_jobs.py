"""A job that failed or was cancelled before it secured the account leaves its block to a new
job, and a failed one tells the team once what it changed and what is left to them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from remediation.errors import PermissionError_, TransientError
from remediation.models import Trigger
from remediation.records import Identity
from tests.plugins.playbook import ADELE
from tests.unit.playbook.helpers import SWEEP

GROUP = "0b3f4c1e-5a9d-4d1e-9f6b-1c2d3e4f5a6b"


async def failed_at_the_revoke(playbook):
    """A job whose revoke_sessions fails transiently on the last attempt the host allows."""
    job, _ = await playbook.service.intake.request(ADELE, SWEEP)
    [(message, _)] = playbook.queue.take()
    playbook.tenant.fail_next("revoke_sessions", TransientError("Service Unavailable", service="graph"))
    with pytest.raises(TransientError, match="^graph: Service Unavailable$"):
        await playbook.service.worker.handle(message, 5, 5)
    job = await playbook.service.admin.get(job.id)
    assert job.status == "failed"
    return job, message


def block_key(job) -> str:
    return f"{ADELE}|{job.block['createdDatetime']}"


async def test_a_failed_job_mails_the_team_once_with_what_it_changed_and_what_is_left(playbook):
    job, message = await failed_at_the_revoke(playbook)
    [mail] = playbook.tenant.outbox
    assert mail["subject"] == f"[Failed] {ADELE}: remediation stopped" and mail["to"] == ["soc@contoso.com"]
    assert "Already changed on the tenant" in mail["body"] and f"reset password {ADELE}: ok" in mail["body"]
    assert ("Finish by hand what the job did not do: revoke_sessions, inbox_rules, mailbox_forwarding, "
            "mailbox_delegates, app_consents, auth_methods, legacy_protocols, identity_risk, "
            "unblock_sender.") in mail["body"]
    assert "Service Unavailable" in mail["body"]
    [password] = playbook.tenant.passwords[playbook.tenant.find(ADELE).id]
    assert password not in mail["body"]
    await playbook.service.worker.handle(message, 5, 5)        # the poison path's duplicate, or a redelivery
    assert len(playbook.tenant.outbox) == 1
    assert await playbook.store.claimed("mail", f"failed-mail|{job.id}") == job.id


async def test_a_failure_mail_that_did_not_go_out_is_sent_by_the_retry(playbook):
    playbook.settings = replace(playbook.settings, protected_accounts=(ADELE,))
    errors = [PermissionError_("Access denied", service="graph", permission="Mail.Send"),
              TransientError("Service Unavailable", service="graph")]
    send_mail = playbook.tenant.directory.send_mail

    async def flaky(*args):
        if errors:
            raise errors.pop(0)
        await send_mail(*args)
    playbook.tenant.directory.send_mail = flaky
    job, _ = await playbook.service.intake.request(ADELE, SWEEP)
    [message] = [body for body, delay in playbook.queue.take() if delay == 0]   # the hold's expiry comes later
    # the approval mail is refused, then the failure mail
    with pytest.raises(TransientError, match="^graph: Service Unavailable$"):
        await playbook.service.worker.handle(message, 1, 5)
    assert (await playbook.service.admin.get(job.id)).status == "failed" and playbook.tenant.outbox == []
    assert await playbook.store.claimed("mail", f"failed-mail|{job.id}") is None
    await playbook.service.worker.handle(message, 2, 5)
    await playbook.service.worker.handle(message, 3, 5)
    assert [mail["subject"] for mail in playbook.tenant.outbox] == [f"[Failed] {ADELE}: remediation stopped"]
    assert "Nothing was changed on the tenant" in playbook.tenant.outbox[0]["body"]


async def test_the_sweep_starts_a_new_job_for_a_block_whose_job_failed_an_hour_ago(playbook):
    failed, _ = await failed_at_the_revoke(playbook)
    assert await playbook.service.schedules.sweep() == []          # not a new attempt every minute during an outage
    playbook.clock.advance(minutes=61)
    [job] = await playbook.service.schedules.sweep()
    assert job.id != failed.id
    await playbook.work()
    job = await playbook.service.admin.get(job.id)
    assert job.status == "awaiting_release" and job.step("revoke_sessions").status == "done"
    assert await playbook.store.claimed("block", block_key(job)) == job.id


async def test_a_block_whose_job_an_admin_cancelled_is_left_to_humans_by_the_sweep(playbook):
    playbook.settings = replace(playbook.settings, protected_accounts=(GROUP,))
    playbook.tenant.find(ADELE).groups.append(GROUP)
    held, _ = await playbook.service.intake.request(ADELE, SWEEP)
    await playbook.work()
    await playbook.service.admin.cancel(held.id, by=Identity("ciso@contoso.com"))
    assert await playbook.service.schedules.sweep() == []          # a human said no: the sweep does not ask again
    job, created = await playbook.service.intake.request(ADELE, Trigger("admin", requested_by="ciso@contoso.com"))
    await playbook.work()
    job = await playbook.service.admin.get(job.id)
    assert created and job.id != held.id and job.status == "awaiting_approval"
    assert await playbook.store.claimed("block", block_key(job)) == job.id


async def test_a_job_cancelled_after_it_unblocked_still_handled_its_block(playbook):
    playbook.tenant.release_on_unblock = False          # Microsoft's release is slow: the entry stays listed
    job, _ = await playbook.service.intake.request(ADELE, SWEEP)
    await playbook.work()
    await playbook.service.admin.cancel(job.id, by=Identity("ciso@contoso.com"))
    assert await playbook.service.schedules.sweep() == []


async def test_a_failure_mail_the_service_refuses_is_logged_not_retried_forever(playbook, caplog):
    playbook.tenant.fail_next("send_mail", PermissionError_("Access denied", service="graph", permission="Mail.Send"))
    job, message = await failed_at_the_revoke(playbook)
    assert playbook.tenant.outbox == [] and "the mail telling the team was refused" in caplog.text
    await playbook.service.worker.handle(message, 2, 5)          # a redelivery tries once more, and does not raise
    assert [mail["subject"] for mail in playbook.tenant.outbox] == [f"[Failed] {ADELE}: remediation stopped"]
