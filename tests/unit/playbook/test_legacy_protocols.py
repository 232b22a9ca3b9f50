"""The legacy_protocols step on the fakes: SMTP AUTH, POP and IMAP off, the rest untouched, snapshot first."""

from __future__ import annotations

from dataclasses import replace

from remediation.tenant import CLOSED_CAS, CasSettings
from tests.plugins.playbook import ADELE
from tests.unit.playbook.helpers import fails_without, run_job


async def test_smtp_auth_pop_and_imap_are_turned_off_after_a_snapshot(playbook):
    playbook.tenant.find(ADELE).cas = CasSettings(False, True, True)
    job = await run_job(playbook)
    step = job.step("legacy_protocols")
    assert step.status == "done" and "Turned off SMTP AUTH (on), POP, IMAP" in step.detail
    assert playbook.tenant.find(ADELE).cas == CLOSED_CAS
    assert job.snapshot["legacy_protocols"] == {"SmtpClientAuthenticationDisabled": False, "PopEnabled": True,
                                                "ImapEnabled": True}
    [entry] = [item for item in job.audit if item.action == "turn off legacy protocols"]
    assert (entry.target, entry.why, entry.result) == (ADELE, "open: SMTP AUTH (on), POP, IMAP", "ok")


async def test_the_organizations_smtp_auth_default_counts_as_open(playbook):
    playbook.tenant.find(ADELE).cas = CasSettings(None, False, False)
    step = (await run_job(playbook)).step("legacy_protocols")
    assert "Turned off SMTP AUTH (organization default)" in step.detail
    assert playbook.tenant.find(ADELE).cas == CLOSED_CAS


async def test_protocols_already_off_are_left_alone(playbook):
    playbook.tenant.find(ADELE).cas = CLOSED_CAS
    job = await run_job(playbook)
    assert job.step("legacy_protocols").detail == "SMTP AUTH, POP and IMAP were already off."
    assert playbook.tenant.count("set_cas_settings") == 0 and job.status == "awaiting_release"


async def test_a_dry_run_plans_the_change_and_makes_none(playbook):
    playbook.settings = replace(playbook.settings, mode="dry-run")
    step = (await run_job(playbook)).step("legacy_protocols")
    assert step.status == "planned" and step.detail.startswith(
        f"Would turn off SMTP AUTH (organization default), POP, IMAP on {ADELE} with Set-CASMailbox")
    assert playbook.tenant.count("set_cas_settings") == 0


async def test_a_missing_cmdlet_fails_the_step_and_the_sender_stays_blocked(playbook):
    job = await fails_without(playbook, "set_cas_settings", "Set-CASMailbox", "legacy_protocols")
    assert "Set-CASMailbox could not turn off" in job.step("legacy_protocols").detail
    assert playbook.tenant.find(ADELE).cas == CasSettings()
