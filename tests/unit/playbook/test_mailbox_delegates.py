"""The mailbox_delegates step on the fakes: outside delegates removed after a snapshot, others
listed, dry-run plans, a delegate already gone is done, a redelivery removes nothing twice."""

from __future__ import annotations

from dataclasses import replace

from remediation.errors import NotFoundError
from remediation.tenant import SEND_AS, SEND_ON_BEHALF, Delegate
from tests.plugins.playbook import ADELE
from tests.unit.fakes import GUEST
from tests.unit.playbook.helpers import fails_without, run_job


async def test_a_guests_send_as_is_removed_and_a_colleagues_full_access_listed(playbook):
    job = await run_job(playbook)
    step = job.step("mailbox_delegates")
    assert step.status == "done" and step.detail.startswith(f"Removed SendAs held by {GUEST}.")
    assert "Inside the tenant, for a human to check: FullAccess held by megan@contoso.com." in step.detail
    assert [item.trustee for item in playbook.tenant.find(ADELE).delegates] == ["megan@contoso.com"]
    assert {item["trustee"]: item["where"] for item in job.snapshot["mailbox_delegates"]} == {
        GUEST: "outside", "megan@contoso.com": "inside"}
    [entry] = [item for item in job.audit if item.action == "remove mailbox delegate"]
    assert (entry.target, entry.why, entry.result) == (ADELE, f"SendAs held by {GUEST}, outside the tenant", "ok")


async def test_send_on_behalf_to_a_contact_outside_is_removed(playbook):
    playbook.tenant.contacts["Desk"] = "drop@evil.example"
    playbook.tenant.find(ADELE).delegates.append(Delegate(SEND_ON_BEHALF, "Desk"))
    step = (await run_job(playbook)).step("mailbox_delegates")
    assert "SendOnBehalf held by Desk <drop@evil.example>" in step.detail
    assert all(item.right != SEND_ON_BEHALF for item in playbook.tenant.find(ADELE).delegates)


async def test_an_unresolved_trustee_is_listed_not_removed(playbook):
    playbook.tenant.find(ADELE).delegates.append(Delegate(SEND_AS, "Former Employee"))
    step = (await run_job(playbook)).step("mailbox_delegates")
    assert "Not resolved to an address, for a human to check: SendAs held by Former Employee." in step.detail


async def test_a_dry_run_plans_and_removes_nothing(playbook):
    playbook.settings = replace(playbook.settings, mode="dry-run")
    step = (await run_job(playbook)).step("mailbox_delegates")
    assert step.status == "planned" and step.detail.startswith(f"Would remove SendAs held by {GUEST}.")
    assert playbook.tenant.count("remove_delegate") == 0


async def test_a_delegate_already_gone_is_done(playbook):
    playbook.tenant.fail_next("remove_delegate", NotFoundError("couldn't be found", service="exchange"))
    job = await run_job(playbook)
    assert job.step("mailbox_delegates").status == "done" and job.step("unblock_sender").status == "done"


async def test_a_missing_cmdlet_fails_the_step_and_keeps_the_sender_blocked(playbook):
    await fails_without(playbook, "remove_delegate", "Remove-RecipientPermission", "mailbox_delegates")
    assert playbook.tenant.find(ADELE).delegates[0].right == SEND_AS


async def test_no_delegate_outside_changes_nothing(playbook):
    playbook.tenant.find(ADELE).delegates = []
    step = (await run_job(playbook)).step("mailbox_delegates")
    assert step.detail == "No delegate outside the tenant." and playbook.tenant.count("remove_delegate") == 0
