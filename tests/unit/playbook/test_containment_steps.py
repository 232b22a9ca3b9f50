"""auth_methods, app_consents and identity_risk on the fakes: what is removed, what is left for a
human, and the gate they put on the unblock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from remediation.errors import NotFoundError
from remediation.models import iso
from tests.unit.fakes import Crash
from tests.unit.playbook.helpers import ADMIN, changes, run_job, statuses

ADELE = "adele@contoso.com"
PHISH = {"id": "sp-phish", "appId": "app-phish", "displayName": "Mail Organizer Pro",
         "appOwnerOrganizationId": "4c5d6e7f-8091-4a2b-b3c4-d5e6f7a8b9c0", "verifiedPublisher": {}}


def consent(playbook, scope: str = "offline_access Mail.ReadWrite") -> dict:
    user = playbook.tenant.find(ADELE)
    playbook.tenant.principals[PHISH["id"]] = PHISH
    grant = {"id": "g-phish", "clientId": PHISH["id"], "consentType": "Principal", "principalId": user.id,
             "resourceId": "graph", "scope": scope}
    playbook.tenant.grants.append(grant)
    return grant


def method(kind: str, ident: str, created: str | None, **extra) -> dict:
    item = {"@odata.type": f"#microsoft.graph.{kind}AuthenticationMethod", "id": ident, **extra}
    if created:
        item["createdDateTime"] = created
    return item


async def test_only_methods_registered_around_the_block_are_removed(playbook):
    now = playbook.clock()
    playbook.tenant.find(ADELE).methods += [
        method("fido2", "old-key", iso(now - timedelta(days=30)), displayName="YubiKey"),
        method("softwareOath", "new-oath", iso(now - timedelta(days=6)))]
    job = await run_job(playbook)
    left = [item["id"] for item in playbook.tenant.find(ADELE).methods]
    assert left == ["28c10230", "old-key"]            # the password and the month-old key stay
    assert [item["type"] for item in job.step("auth_methods").data["removed"]] == [
        "microsoftAuthenticator 'Pixel 9'", "softwareOath"]
    assert job.step("auth_methods").data["registerAgain"] is False


async def test_when_nothing_strong_is_left_the_mail_says_the_user_registers_again(playbook):
    job = await run_job(playbook)
    assert job.step("auth_methods").data["registerAgain"] is True
    assert "must register MFA again" in job.step("auth_methods").detail
    [mail] = playbook.tenant.outbox
    assert "the user must register MFA again" in mail["body"]


async def test_a_method_already_gone_is_done(playbook):
    playbook.tenant.fail_next("delete_auth_method", NotFoundError("gone", service="graph", code="itemNotFound"))
    job = await run_job(playbook)
    assert job.step("auth_methods").status == "done" and job.step("unblock_sender").status == "done"


async def test_the_default_method_is_listed_for_a_human_and_the_unblock_waits(playbook):
    user = playbook.tenant.find(ADELE)
    user.default_method = "6e5ca9a7"
    job = await run_job(playbook)
    step = job.step("auth_methods")
    assert step.status == "manual" and "default sign-in method" in step.detail
    assert statuses(job)["unblock_sender"] == "skipped" and "auth_methods is manual" in job.summary
    assert job.status == "escalated"
    assert playbook.tenant.unblocks == {}


async def test_the_phishing_apps_consent_goes_and_the_snapshot_keeps_it_whole(playbook):
    grant = consent(playbook)
    job = await run_job(playbook)
    assert playbook.tenant.grants == []
    assert job.snapshot["app_consents"] == {"grants": [grant]}
    assert job.step("app_consents").data["removed"] == ["g-phish"]


async def test_a_consent_without_a_mail_scope_is_listed_and_kept(playbook):
    consent(playbook, "openid offline_access User.Read")
    job = await run_job(playbook)
    assert len(playbook.tenant.grants) == 1 and job.step("app_consents").data["kept"][0]["app"] == "Mail Organizer Pro"


async def test_a_redelivered_step_removes_nothing_twice(playbook):
    consent(playbook)
    job, _ = await playbook.service.intake.request(ADELE, ADMIN)
    [(message, _)] = playbook.queue.take()
    playbook.tenant.crash_after("delete_permission_grant")
    with pytest.raises(Crash, match="^delete_permission_grant$"):
        await playbook.worker().worker.handle(message, 1, 5)
    await playbook.worker().worker.handle(message, 2, 5)      # the redelivery, in a new worker
    job = await playbook.service.admin.get(job.id)
    assert playbook.tenant.count("delete_permission_grant") == 1 and job.step("app_consents").status == "done"


async def test_without_entra_id_p2_identity_risk_is_skipped_and_the_unblock_goes_ahead(playbook):
    playbook.tenant.risk_licensed = False
    job = await run_job(playbook)
    assert job.step("identity_risk").status == "skipped" and "premium license" in job.step("identity_risk").detail
    assert job.step("unblock_sender").status == "done" and playbook.tenant.compromised == []


async def test_a_dry_run_removes_nothing_and_confirms_nothing(playbook):
    consent(playbook)
    job = await run_job(playbook, mode="dry-run")
    assert changes(playbook.tenant) == ["send_mail"]
    assert "Would remove the consent(s) of adele@contoso.com to: Mail Organizer Pro" in job.step("app_consents").detail
    assert "Pixel 9" in job.step("auth_methods").detail
