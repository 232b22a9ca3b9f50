"""mailbox_delegates against Azurite and the sandbox tenant: a contact's SendAs and a guest's
FullAccess removed in enforce, planned in dry-run, a colleague kept; a missing cmdlet keeps the
sender blocked."""

from __future__ import annotations

from tests.integration.playbook.support import ADELE, ADMIN_TRIGGER, fails_without, run_as_admin, writes

GUEST = "jo_evil.example#EXT#@contoso.onmicrosoft.com"


def with_guest(sandbox) -> None:
    """The test scenario plus a guest holding FullAccess on Adele's mailbox."""
    scenario = sandbox.scenario()
    scenario["users"].append({"userPrincipalName": GUEST, "mail": "jo@evil.example", "userType": "Guest"})
    adele = next(user for user in scenario["users"] if user["userPrincipalName"] == ADELE)
    adele["mailboxPermissions"].append({"User": GUEST, "AccessRights": ["FullAccess"]})
    sandbox.load(scenario)


async def run(live, **settings):
    return await run_as_admin(live, ADELE, **settings)


async def test_enforce_removes_the_outside_delegates_and_keeps_the_colleague(live, sandbox):
    with_guest(sandbox)
    job = await run(live)
    step = job.step("mailbox_delegates")
    assert step.status == "done", step.detail
    user = sandbox.user(ADELE)
    assert user["recipientPermissions"] == [] and [entry["User"] for entry in user["mailboxPermissions"]] == [
        "megan@contoso.com"]
    assert "SendAs held by Invoices Desk <invoices@evil.example>" in step.detail
    assert f"FullAccess held by {GUEST}" in step.detail and "megan@contoso.com" in step.detail
    assert writes(sandbox.requests()).count("Remove-MailboxPermission") == 1
    assert {item["trustee"] for item in job.snapshot["mailbox_delegates"]} == {
        "Invoices Desk", GUEST, "megan@contoso.com"}


async def test_dry_run_plans_and_removes_nothing(live, sandbox):
    job = await run(live, REMEDIATION_MODE="dry-run")
    step = job.step("mailbox_delegates")
    assert step.status == "planned" and "Would remove SendAs held by Invoices Desk" in step.detail
    assert sandbox.user(ADELE)["recipientPermissions"] and "Remove-RecipientPermission" not in writes(
        sandbox.requests())


async def test_a_delegate_removed_by_someone_else_meanwhile_is_done(live, sandbox):
    """Removed between the step's read and its remove: Exchange's ManagementObjectNotFoundException."""
    worker = live.worker()
    real = worker.context.ports.exchange.remove_delegate

    async def removed_first(mailbox, delegate):
        await real(mailbox, delegate)
        await real(mailbox, delegate)        # the second is the step's, and finds nothing
    worker.context.ports.exchange.remove_delegate = removed_first
    job, _ = await worker.intake.request(ADELE, ADMIN_TRIGGER)
    await live.work(worker)
    job = await live.job(job.id)
    assert job.step("mailbox_delegates").status == "done" and job.status == "awaiting_release"


async def test_without_remove_recipient_permission_the_step_fails_and_the_sender_stays_blocked(live, sandbox):
    await fails_without(live, sandbox, "Remove-RecipientPermission", "mailbox_delegates")
    assert sandbox.user(ADELE)["recipientPermissions"]
