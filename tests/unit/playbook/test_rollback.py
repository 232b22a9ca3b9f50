"""Rollback on the fakes: what the job changed comes back from its snapshots, audited with the
admin and the reason; the password, sessions and block are not touched; twice changes nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from remediation.errors import RequestError, StateConflictError
from remediation.records import Identity
from remediation.tenant import CasSettings, Delegate, MailboxForwarding, SEND_AS
from tests.plugins.playbook import ADELE
from tests.unit.fakes import GUEST
from tests.unit.playbook.helpers import run_job

ADMIN = Identity("ciso@contoso.com")
WHY = "false positive: a legitimate newsletter"


async def test_a_rollback_restores_rules_forwarding_delegates_and_protocols(playbook):
    job = await run_job(playbook)
    rolled = await playbook.service.admin.rollback(job.id, by=ADMIN, reason=WHY)
    user = playbook.tenant.find(ADELE)
    assert all(rule["isEnabled"] for rule in user.rules if rule["displayName"] in ("fwd", "."))
    assert user.forwarding == MailboxForwarding("smtp:collect@evil.example", None, True)
    assert Delegate(SEND_AS, GUEST) in user.delegates and user.cas == CasSettings()
    restores = [item for item in rolled.audit if item.actor == str(ADMIN) and item.why == WHY]
    assert [item.action for item in restores][-3:] == [
        "restore mailbox forwarding", f"restore delegate: SendAs held by {GUEST}", "restore legacy protocols"]
    [record] = rolled.rollbacks
    assert record["by"] == str(ADMIN) and record["reason"] == WHY and set(record["restored"]) == {
        "inbox_rules", "mailbox_forwarding", "mailbox_delegates", "app_consents", "legacy_protocols"}
    assert "reset_password" in record["notRestorable"] and rolled.status == job.status
    assert playbook.tenant.count("reset_password") == 1 and not playbook.tenant.blocked   # never blocked again


async def test_a_removed_consent_is_created_again_from_its_snapshot(playbook):
    adele = playbook.tenant.find(ADELE)
    playbook.tenant.principals["phish"] = {"id": "phish", "appId": "a", "displayName": "Mail Helper",
                                           "appOwnerOrganizationId": "other", "verifiedPublisher": {}}
    playbook.tenant.grants.append({"id": "g1", "clientId": "phish", "consentType": "Principal",
                                   "principalId": adele.id, "resourceId": "graph", "scope": "Mail.ReadWrite"})
    job = await run_job(playbook)
    assert job.step("app_consents").data["removed"] == ["g1"] and not playbook.tenant.grants
    await playbook.service.admin.rollback(job.id, by=ADMIN, reason=WHY, items=["app_consents"])
    [grant] = playbook.tenant.grants
    assert (grant["clientId"], grant["principalId"], grant["scope"]) == ("phish", adele.id, "Mail.ReadWrite")
    await playbook.service.admin.rollback(job.id, by=ADMIN, reason=WHY, items=["app_consents"])
    assert len(playbook.tenant.grants) == 1 and playbook.tenant.count("create_permission_grant") == 1


async def test_rolling_back_twice_changes_nothing_the_second_time(playbook):
    job = await run_job(playbook)
    await playbook.service.admin.rollback(job.id, by=ADMIN, reason=WHY)
    calls = len(playbook.tenant.calls)
    again = await playbook.service.admin.rollback(job.id, by=ADMIN, reason=WHY)
    writes = [name for name, _ in playbook.tenant.calls[calls:]
              if name in ("exchange.enable_inbox_rule", "set_mailbox_forwarding", "add_delegate", "set_cas_settings")]
    assert writes == [] and all(not items for items in again.rollbacks[1]["restored"].values())


async def test_items_restore_only_the_steps_named(playbook):
    job = await run_job(playbook)
    await playbook.service.admin.rollback(job.id, by=ADMIN, reason=WHY, items=["legacy_protocols"])
    user = playbook.tenant.find(ADELE)
    assert user.cas == CasSettings() and not user.forwarding.is_set


async def test_an_unknown_item_or_a_dry_run_job_is_refused(playbook):
    job = await run_job(playbook)
    with pytest.raises(RequestError, match="reset_password cannot be rolled back"):
        await playbook.service.admin.rollback(job.id, by=ADMIN, reason=WHY, items=["reset_password"])
    playbook.settings = replace(playbook.settings, mode="dry-run")
    planned = await run_job(playbook, user="megan@contoso.com", force=True)
    with pytest.raises(StateConflictError, match="ran in dry-run and changed nothing"):
        await playbook.service.admin.rollback(planned.id, by=ADMIN, reason=WHY)
