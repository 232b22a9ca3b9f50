"""Dry-run (the default mode): read everything, plan every change, change nothing."""

from __future__ import annotations

from dataclasses import replace

from remediation.models import Trigger
from tests.plugins.playbook import ADELE
from tests.unit.playbook.helpers import SWEEP, changes, run_job, statuses


async def test_a_dry_run_changes_nothing_and_plans_every_change(playbook):
    playbook.settings = replace(playbook.settings, mode="dry-run")
    job = await run_job(playbook)
    assert job.mode == "dry-run" and job.status == "planned"
    assert changes(playbook.tenant) == ["send_mail"]          # the plan, to the security team
    assert statuses(job) == {
        "confirm_block": "done", "reset_password": "planned", "revoke_sessions": "planned",
        "inbox_rules": "planned", "mailbox_forwarding": "planned", "mailbox_delegates": "planned",
        "app_consents": "done", "auth_methods": "planned", "legacy_protocols": "planned", "identity_risk": "planned",
        "unblock_sender": "planned", "notify": "done", "follow_up": "planned"}
    assert "Would disable: 'fwd' forwards to attacker@evil.example" in job.step("inbox_rules").detail
    assert "'.' (hidden) moves mail to RSS Feeds" in job.step("inbox_rules").detail
    assert "Would clear the mailbox forwarding" in job.step("mailbox_forwarding").detail
    assert "Would reset the password" in job.step("reset_password").detail
    assert "Would remove adele@contoso.com from the blocked list" in job.step("unblock_sender").detail
    assert job.audit[-1].action == "send summary mail" and len(job.audit) == 1
    assert playbook.tenant.blocked and playbook.tenant.find(ADELE).forwarding.is_set
    assert playbook.queue.sent == [] and await playbook.store.claimed("active", ADELE) is None


async def test_the_dry_run_mail_says_it_is_a_plan(playbook):
    playbook.settings = replace(playbook.settings, mode="dry-run")
    await run_job(playbook)
    [mail] = playbook.tenant.outbox
    assert mail["subject"].startswith("[DRY-RUN PLAN]")
    assert "Dry run: nothing was changed" in mail["body"]


async def test_a_dry_run_without_recipients_sends_nothing(playbook):
    playbook.settings = replace(playbook.settings, mode="dry-run", notify_recipients=())
    job = await run_job(playbook)
    assert changes(playbook.tenant) == [] and statuses(job)["notify"] == "skipped"


async def test_a_dry_run_job_can_be_asked_for_in_enforce_mode(playbook):
    job = await run_job(playbook, mode="dry-run")
    assert job.status == "planned" and changes(playbook.tenant) == ["send_mail"]


async def test_a_dry_run_plans_the_manual_steps_and_containment(playbook):
    playbook.settings = replace(playbook.settings, mode="dry-run", disable_account_when_manual_reset=True)
    playbook.tenant.add_user("sam@contoso.com", synced=True)
    playbook.tenant.block("sam@contoso.com", playbook.clock())
    job = await run_job(playbook, user="sam@contoso.com")
    assert job.step("reset_password").status == "planned"
    assert "Would also disable the account" in job.step("reset_password").detail
    assert playbook.tenant.find("sam@contoso.com").enabled


async def test_switching_the_setting_to_dry_run_turns_queued_automatic_jobs_into_plans(playbook):
    job, _ = await playbook.service.intake.request(ADELE, SWEEP)              # queued while the app enforced
    assert job.mode == "enforce"
    playbook.settings = replace(playbook.settings, mode="dry-run")     # the kill switch
    await playbook.work()
    job = await playbook.service.admin.get(job.id)
    assert job.mode == "dry-run" and job.status == "planned"
    assert changes(playbook.tenant) == ["send_mail"] and playbook.tenant.blocked
    assert job.decisions[-1].decision == "dry-run" and "REMEDIATION_MODE" in job.decisions[-1].comment


async def test_an_admins_explicit_enforce_job_keeps_its_mode_under_a_dry_run_setting(playbook):
    playbook.settings = replace(playbook.settings, mode="dry-run")
    trigger = Trigger("admin", requested_by="ciso@contoso.com")
    job, _ = await playbook.service.intake.request(ADELE, trigger, mode="enforce")
    await playbook.work()
    job = await playbook.service.admin.get(job.id)
    assert job.mode == "enforce" and job.status == "awaiting_release"
