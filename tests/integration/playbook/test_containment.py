"""The Graph containment steps against Azurite and the sandbox: an attacker's authenticator, a
phishing app's consent and Identity Protection, in enforce and dry-run, without a permission or a
licence, with the item already gone, and on a redelivered message."""

from __future__ import annotations

from tests.integration.playbook.support import ADELE, writes

PHISHING_APP = {"id": "7c1e4b2a-0f3d-4a5e-8b6c-9d0e1f2a3b4c", "appId": "e3a1b2c4-5d6e-4f70-8a9b-0c1d2e3f4a5b",
                "displayName": "Mail Organizer Pro", "appOwnerOrganizationId": "4c5d6e7f-8091-4a2b-b3c4-d5e6f7a8b9c0",
                "verifiedPublisher": {}}
MICROSOFT_APP = {"id": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "appId": "d3590ed6-52b3-4102-aeff-aad2292ab01c",
                 "displayName": "Microsoft Office", "appOwnerOrganizationId": "f8cdef31-a31e-4b4a-93e4-5f571e91255a"}
PAWNED = "DELETE /oauth2PermissionGrants/grant-phish"


def with_consents(sandbox, **identity) -> None:
    scenario = sandbox.scenario()
    adele = next(user for user in scenario["users"] if user["userPrincipalName"] == ADELE)
    resource = "graph-sp"   # the grant's resource is not read: its scopes say what it reaches
    grants = [{"id": "grant-phish", "clientId": PHISHING_APP["id"], "consentType": "Principal",
               "principalId": adele["id"], "resourceId": resource, "scope": "offline_access Mail.ReadWrite"},
              {"id": "grant-office", "clientId": MICROSOFT_APP["id"], "consentType": "Principal",
               "principalId": adele["id"], "resourceId": resource, "scope": "Mail.ReadWrite Files.ReadWrite.All"}]
    scenario["identity"] = {**scenario.get("identity", {}), "servicePrincipals": [PHISHING_APP, MICROSOFT_APP],
                            "oauth2PermissionGrants": grants, **identity}
    sandbox.load(scenario)


def withhold(sandbox, permission: str) -> None:
    scenario = sandbox.scenario()
    scenario["permissions"]["withheld"] = [permission]
    sandbox.load(scenario)


async def run(live, user=ADELE, worker=None):
    job_id = await live.request(user)
    await live.work(worker)
    return await live.job(job_id)


def grant_ids(sandbox) -> list[str]:
    return [grant["id"] for grant in sandbox.state()["identity"]["directory"]["oauth2PermissionGrants"]]


async def test_a_phishing_apps_consent_is_removed_and_kept_whole_in_the_snapshot(live, sandbox):
    with_consents(sandbox)
    job = await run(live)
    step = job.step("app_consents")
    assert step.status == "done" and "Mail Organizer Pro (offline_access Mail.ReadWrite)" in step.detail
    assert grant_ids(sandbox) == ["grant-office"]                     # Microsoft's own app is left alone
    assert writes(sandbox.requests()).count(PAWNED) == 1
    assert {grant["id"] for grant in job.snapshot["app_consents"]["grants"]} == {"grant-phish", "grant-office"}
    assert [(item.action, item.why) for item in job.audit if item.action == "remove app consent"] == [
        ("remove app consent", "the user consented to Mail Organizer Pro, an app from an unverified publisher "
                               "outside this tenant, with Mail.ReadWrite")]
    assert job.status == "awaiting_release"


async def test_report_mode_lists_the_consent_and_lets_the_unblock_go_ahead(live, sandbox):
    with_consents(sandbox)
    job = await run(live, worker=live.worker(APP_CONSENTS_ACTION="report"))
    step = job.step("app_consents")
    assert step.status == "skipped" and "APP_CONSENTS_ACTION is report" in step.detail
    assert grant_ids(sandbox) == ["grant-phish", "grant-office"]
    assert job.step("unblock_sender").status == "done"


async def test_a_dry_run_plans_every_removal_and_changes_nothing(live, sandbox):
    with_consents(sandbox)
    job_id = await live.request(ADELE, mode="dry-run")
    await live.work()
    job = await live.job(job_id)
    assert job.step("app_consents").status == "planned" and "Mail Organizer Pro" in job.step("app_consents").detail
    assert "microsoftAuthenticator 'Pixel 7'" in job.step("auth_methods").detail
    assert job.step("identity_risk").status == "planned"
    assert [name for name in writes(sandbox.requests()) if not name.endswith("/sendMail")] == []


async def test_a_missing_permission_fails_the_step_names_it_and_holds_the_unblock(live, sandbox):
    with_consents(sandbox)
    withhold(sandbox, "DelegatedPermissionGrant.ReadWrite.All")
    job = await run(live)
    assert job.step("app_consents").status == "failed"
    assert "the app needs DelegatedPermissionGrant.ReadWrite.All" in job.step("app_consents").detail
    assert job.status == "escalated" and job.step("unblock_sender").status == "skipped"
    assert ADELE in [entry["SenderAddress"] for entry in sandbox.state()["blockedSenders"]]


async def test_without_entra_id_p2_identity_risk_is_skipped_and_the_unblock_goes_ahead(live, sandbox):
    with_consents(sandbox, entraIdP2=False)
    job = await run(live)
    step = job.step("identity_risk")
    assert step.status == "skipped" and "Authentication_RequestFromNonPremiumTenantOrB2CTenant" in step.detail
    assert job.step("unblock_sender").status == "done"


async def test_without_its_permission_identity_risk_is_skipped_not_failed(live, sandbox):
    withhold(sandbox, "IdentityRiskyUser.ReadWrite.All")
    job = await run(live)
    assert job.step("identity_risk").status == "skipped"
    assert "the app needs IdentityRiskyUser.ReadWrite.All" in job.step("identity_risk").detail
    assert job.step("unblock_sender").status == "done"


async def test_the_default_method_is_left_for_a_human_and_holds_the_unblock(live, sandbox):
    scenario = sandbox.scenario()
    adele = next(user for user in scenario["users"] if user["userPrincipalName"] == ADELE)
    adele["defaultMethod"] = "6a5f3c1e-0d2b-4e7a-9c8f-1b2a3d4e5f60"      # the attacker's Pixel 7
    sandbox.load(scenario)
    job = await run(live)
    step = job.step("auth_methods")
    assert step.status == "manual" and "default sign-in method, which Graph v1.0 cannot change" in step.detail
    assert job.step("unblock_sender").status == "skipped" and job.status == "escalated"
    assert len(sandbox.user(ADELE)["authenticationMethods"]) == 2


async def test_a_method_and_a_consent_already_gone_are_done_and_nothing_is_deleted_twice(live, sandbox):
    with_consents(sandbox)
    job = await run(live)
    assert job.status == "awaiting_release"
    first = writes(sandbox.requests())
    # Redelivered: the job is finished, and the tenant has nothing left to remove anyway.
    await live.worker().worker.handle({"kind": "remediate", "jobId": job.id}, 2, 5)
    assert writes(sandbox.requests()) == first
    assert first.count(PAWNED) == 1 and sum(name.startswith("DELETE /users/") for name in first) == 1
