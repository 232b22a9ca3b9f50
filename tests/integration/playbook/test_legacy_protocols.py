"""legacy_protocols against Azurite and the sandbox tenant: closed in enforce, planned in dry-run,
left alone when already off, and a missing Set-CASMailbox keeps the sender blocked."""

from __future__ import annotations

from tests.integration.playbook.support import ADELE, fails_without, run_as_admin, writes

OPEN = {"SmtpClientAuthenticationDisabled": False, "PopEnabled": True, "ImapEnabled": True}


def cas(sandbox) -> dict:
    box = sandbox.user(ADELE)["mailbox"]
    return {name: box[name] for name in OPEN}


async def run(live, **settings):
    return await run_as_admin(live, ADELE, **settings)


async def test_enforce_turns_smtp_auth_pop_and_imap_off_after_its_snapshot(live, sandbox):
    job = await run(live)
    assert job.step("legacy_protocols").status == "done"
    assert cas(sandbox) == {"SmtpClientAuthenticationDisabled": True, "PopEnabled": False, "ImapEnabled": False}
    assert job.snapshot["legacy_protocols"] == OPEN
    assert writes(sandbox.requests()).count("Set-CASMailbox") == 1


async def test_dry_run_plans_and_changes_nothing(live, sandbox):
    job = await run(live, REMEDIATION_MODE="dry-run")
    step = job.step("legacy_protocols")
    assert step.status == "planned" and "Would turn off SMTP AUTH (on), POP, IMAP" in step.detail
    assert cas(sandbox) == OPEN and "Set-CASMailbox" not in writes(sandbox.requests())


async def test_protocols_already_off_are_not_set_again(live, sandbox):
    scenario = sandbox.scenario()
    adele = next(user for user in scenario["users"] if user["userPrincipalName"] == ADELE)
    adele["mailbox"].update(SmtpClientAuthenticationDisabled=True, PopEnabled=False, ImapEnabled=False)
    sandbox.load(scenario)
    job = await run(live)
    assert job.step("legacy_protocols").detail == "SMTP AUTH, POP and IMAP were already off."
    assert "Set-CASMailbox" not in writes(sandbox.requests())


async def test_without_set_cas_mailbox_the_step_fails_and_the_sender_stays_blocked(live, sandbox):
    await fails_without(live, sandbox, "Set-CASMailbox", "legacy_protocols")
    assert cas(sandbox) == OPEN
