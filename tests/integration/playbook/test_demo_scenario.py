"""The demo scenario (`make run`): its job closes each persistence point the scenario plants."""

from __future__ import annotations

from pathlib import Path

from tests.integration.playbook.support import ADELE, run_as_admin, writes

DEMO = Path(__file__).parents[3] / "localdev" / "scenarios" / "demo.yaml"


async def test_the_demo_job_closes_the_authenticator_the_guest_the_consent_and_smtp_auth(live, sandbox):
    sandbox.load(DEMO)
    blocked = sandbox.scenario()
    blocked["blockedSenders"] = [{"SenderAddress": ADELE, "Reason": "OutboundSpam", "CreatedDatetime": "now-1h"}]
    sandbox.load(blocked)
    job = await run_as_admin(live, ADELE)
    assert job.status == "awaiting_release", job.summary
    assert {name: job.step(name).status for name in (
        "mailbox_delegates", "app_consents", "auth_methods", "legacy_protocols")} == dict.fromkeys(
        ("mailbox_delegates", "app_consents", "auth_methods", "legacy_protocols"), "done")
    adele = sandbox.user(ADELE)
    assert adele["recipientPermissions"] == [] and adele["authenticationMethods"] == []
    assert adele["mailbox"]["SmtpClientAuthenticationDisabled"] is True
    assert "Mail Helper Pro" in job.step("app_consents").detail
    assert "DELETE /oauth2PermissionGrants/demo-grant-mailhelper" in writes(sandbox.requests())
