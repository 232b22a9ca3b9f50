"""reset_password and revoke_sessions: what Graph can rotate, what needs a human, and the order."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from remediation.errors import PermissionError_, ServiceRejectedError, ThrottledError, TransientError
from tests.unit.fakes import Crash
from tests.unit.playbook.helpers import ADMIN, changes, run_job, statuses

SYNCED, FEDERATED = "sam@contoso.com", "fred@fabrikam.com"


def blocked_user(playbook, upn, **kw):
    user = playbook.tenant.add_user(upn, **kw)
    playbook.tenant.block(upn, playbook.clock() - timedelta(minutes=10))
    return user


async def test_a_synced_user_needs_a_human_reset_and_is_not_unblocked(playbook):
    blocked_user(playbook, SYNCED, synced=True)
    job = await run_job(playbook, user=SYNCED)
    step = job.step("reset_password")
    assert step.status == "manual"
    assert "synchronized from on-premises Active Directory" in step.detail and "Set-ADAccountPassword" in step.detail
    assert statuses(job)["revoke_sessions"] == "done"      # revoking still helps while a human resets
    assert statuses(job)["unblock_sender"] == "skipped" and "reset_password is manual" in job.step("unblock_sender").detail
    assert job.status == "escalated" and "Set-ADAccountPassword" in job.summary
    assert playbook.tenant.count("reset_password") == 0 and "unblock" not in changes(playbook.tenant)


async def test_a_federated_user_needs_a_reset_at_the_identity_provider(playbook):
    blocked_user(playbook, FEDERATED)
    job = await run_job(playbook, user=FEDERATED)
    step = job.step("reset_password")
    assert step.status == "manual" and "federated domain fabrikam.com" in step.detail
    assert job.status == "escalated"
    assert job.snapshot["reset_password"]["federatedDomain"] == "fabrikam.com"


@pytest.mark.parametrize("upn, kw", [(SYNCED, {"synced": True}), (FEDERATED, {})])
async def test_a_manual_reset_says_to_revoke_the_sessions_again_afterwards(playbook, upn, kw):
    blocked_user(playbook, upn, **kw)
    job = await run_job(playbook, user=upn)
    assert f"After the reset, revoke the sessions of {upn} again" in job.step("reset_password").detail
    revoke = job.step("revoke_sessions")
    assert revoke.status == "done" and "must be repeated after the manual reset" in revoke.detail
    assert "with the new password" not in revoke.detail
    [mail] = playbook.tenant.outbox
    assert f"revoke the sessions of {upn} again" in mail["body"]


async def test_a_reset_of_unknown_outcome_says_to_revoke_again_after_the_human_check(playbook):
    job, _ = await playbook.service.intake.request("adele@contoso.com", ADMIN)
    [(message, _)] = playbook.queue.take()
    # A 5xx: Graph may or may not have applied it, and lastPasswordChangeDateTime shows no change.
    playbook.tenant.fail_next("reset_password", TransientError("Graph: 504 Gateway Timeout"))
    with pytest.raises(TransientError, match="^Graph: 504 Gateway Timeout$"):
        await playbook.service.worker.handle(message, 1, 5)
    await playbook.service.worker.handle(message, 2, 5)
    assert playbook.tenant.count("reset_password") == 1
    job = await playbook.service.admin.get(job.id)
    assert job.step("reset_password").status == "manual"
    assert "revoke the sessions of adele@contoso.com again" in job.step("reset_password").detail
    assert "must be repeated after the manual reset" in job.step("revoke_sessions").detail


async def test_graphs_on_premises_refusal_is_a_manual_step_too(playbook):
    # The read did not say "synced" (e.g. a migration in progress), the PATCH does.
    playbook.tenant.fail_next("reset_password", ServiceRejectedError(
        "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects "
        "currently undergoing migration.", service="graph", code="Request_BadRequest"))
    job = await run_job(playbook)
    assert job.step("reset_password").status == "manual"
    assert "Set-ADAccountPassword" in job.step("reset_password").detail
    assert "revoke the sessions of adele@contoso.com again" in job.step("reset_password").detail
    assert job.status == "escalated"


async def test_containment_disables_the_account_when_the_password_cannot_be_rotated(playbook):
    blocked_user(playbook, FEDERATED)
    playbook.settings = replace(playbook.settings, disable_account_when_manual_reset=True)
    job = await run_job(playbook, user=FEDERATED)
    assert playbook.tenant.find(FEDERATED).enabled is False
    assert "The account was disabled" in job.step("reset_password").detail
    assert ("disable account", "ok") in [(item.action, item.result) for item in job.audit]


async def test_a_synced_account_graph_cannot_disable_is_left_to_on_premises_ad_with_the_steps(playbook):
    blocked_user(playbook, SYNCED, synced=True)
    playbook.settings = replace(playbook.settings, disable_account_when_manual_reset=True)
    job = await run_job(playbook, user=SYNCED)
    assert playbook.tenant.find(SYNCED).enabled is True
    detail = job.step("reset_password").detail
    assert "Disabling the account failed: graph: Unable to update the specified properties for on-premises" in detail
    assert (f"{SYNCED} is mastered in on-premises Active Directory: disable it there (Disable-ADAccount -Identity "
            "<its sAMAccountName>, or Active Directory Users and Computers), then let Entra Connect sync it "
            "(Start-ADSyncSyncCycle -PolicyType Delta).") in detail
    assert "Disable-ADAccount" in job.summary


async def test_a_refused_reset_is_left_to_a_human_with_the_permission_and_the_admin_role_named(playbook):
    # Graph's 403: the app lacks the permission, or the user is an admin that the User Administrator
    # role cannot reset. Either way a human resets it; the job is not secured, so it is not unblocked.
    playbook.tenant.fail_next("reset_password", PermissionError_(
        "Insufficient privileges to complete the operation.", service="graph",
        permission="User-PasswordProfile.ReadWrite.All"))
    job = await run_job(playbook)
    detail = job.step("reset_password").detail
    assert job.step("reset_password").status == "manual"
    assert "Insufficient privileges" in detail and "User-PasswordProfile.ReadWrite.All" in detail
    assert "Privileged Authentication Administrator" in detail and "revoke the sessions" in detail
    assert job.step("revoke_sessions").status == "done"
    assert statuses(job)["inbox_rules"] == "done"     # the rest is still secured
    assert job.status == "escalated" and "unblock" not in changes(playbook.tenant)
    [entry] = [item for item in job.audit if item.action == "reset password"]
    assert entry.result.startswith("failed: ")


async def test_the_revoke_never_comes_before_the_reset(playbook):
    await run_job(playbook)
    names = changes(playbook.tenant)
    assert names.index("reset_password") < names.index("revoke_sessions")


async def test_a_throttled_reset_is_retried_by_the_queue_and_then_done_once(playbook):
    playbook.tenant.fail_next("reset_password", ThrottledError("Too many requests", retry_after=2.0))
    job, _ = await playbook.service.intake.request("adele@contoso.com", ADMIN)
    [(message, _)] = playbook.queue.take()
    try:
        await playbook.service.worker.handle(message, 1, 5)
    except ThrottledError:
        pass
    else:
        raise AssertionError("the 429 must reach the host so the message is retried")
    await playbook.service.worker.handle(message, 2, 5)
    job = await playbook.service.admin.get(job.id)
    assert job.step("reset_password").status == "done"       # a 429 is not an unknown outcome
    assert len(playbook.tenant.passwords[playbook.tenant.find("adele@contoso.com").id]) == 1


async def test_revocation_failure_is_reported_and_blocks_the_unblock(playbook):
    playbook.tenant.fail_next("revoke_sessions", PermissionError_("Insufficient privileges", service="graph",
                                                                  permission="User.RevokeSessions.All"))
    job = await run_job(playbook)
    assert job.step("revoke_sessions").status == "failed" and "User.RevokeSessions.All" in job.summary
    assert job.status == "escalated"



async def test_an_interrupted_reset_that_took_effect_is_verified_by_its_change_time_and_not_sent_again(playbook):
    job, _ = await playbook.service.intake.request("adele@contoso.com", ADMIN)
    [(message, _)] = playbook.queue.take()
    playbook.tenant.crash_after("reset_password")
    with pytest.raises(Crash, match="^reset_password$"):
        await playbook.service.worker.handle(message, 1, 5)
    await playbook.service.worker.handle(message, 2, 5)
    job = await playbook.service.admin.get(job.id)
    step = job.step("reset_password")
    assert step.status == "done" and "took effect" in step.detail and "lastPasswordChangeDateTime" in step.detail
    assert playbook.tenant.count("reset_password") == 1 and job.status == "awaiting_release"
