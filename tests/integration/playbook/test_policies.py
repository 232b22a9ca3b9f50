"""Synced and federated users, protected accounts, dry-run, the unblock budget and Microsoft's
unblock cap, against Azurite and the sandbox tenant."""

from __future__ import annotations

from datetime import timedelta

from remediation.models import Trigger
from remediation.records import Identity
from tests.integration.playbook.support import ADELE, ALEX, DIEGO, EXECUTIVES, LEE, NESTOR, writes

SWEEP = Trigger("sweep", requested_by="blocked-list sweep")


async def run(live, user, trigger=None, **kw):
    job_id = await live.request(user, trigger, **kw)
    await live.work()
    return await live.job(job_id)


async def test_a_synced_user_is_secured_as_far_as_graph_can_and_escalated(live, sandbox):
    job = await run(live, LEE)
    assert job.step("reset_password").status == "manual" and "Set-ADAccountPassword" in job.summary
    assert job.status == "escalated"
    user = sandbox.user(LEE)
    assert user["passwordChanges"] == [] and len(user["revocations"]) == 1
    assert [rule["isEnabled"] for rule in user["inboxRules"]] == [False]      # redirect to inbox.example
    assert sandbox.state()["unblocks"] == {}
    assert LEE in [entry["SenderAddress"] for entry in sandbox.state()["blockedSenders"]]
    assert "Remove-BlockedSenderAddress" not in writes(sandbox.requests())


async def test_a_federated_user_needs_the_identity_provider_and_is_escalated(live, sandbox):
    job = await run(live, DIEGO)
    assert job.step("reset_password").status == "manual" and "federated domain fabrikam.com" in job.summary
    assert job.status == "escalated"
    user = sandbox.user(DIEGO)
    assert user["passwordChanges"] == []
    assert user["mailbox"]["ForwardingSmtpAddress"] is None          # forwarding still cleared
    assert sandbox.state()["unblocks"] == {}


async def test_containment_disables_a_user_whose_password_a_human_must_reset(live, sandbox):
    worker = live.worker(DISABLE_ACCOUNT_WHEN_MANUAL_RESET="true")
    for user in (DIEGO, LEE):
        await worker.intake.request(user, SWEEP)
    await live.work(worker)
    assert sandbox.user(DIEGO)["accountEnabled"] is False
    [diego] = (await worker.admin.query(user=DIEGO)).items
    assert "The account was disabled" in diego.step("reset_password").detail
    # A synced account is mastered on-premises for this too: Graph's own words say so.
    [lee] = (await worker.admin.query(user=LEE)).items
    assert "Disabling the account failed: graph: Unable to update the specified properties for on-premises " \
           "mastered" in lee.step("reset_password").detail
    assert "disable it there (Disable-ADAccount" in lee.step("reset_password").detail
    assert sandbox.user(LEE)["accountEnabled"] is True


async def test_a_protected_account_waits_then_runs_once_approved(live, sandbox):
    worker = live.worker(PROTECTED_ACCOUNTS=EXECUTIVES)
    job, _ = await worker.intake.request(NESTOR, SWEEP)
    await live.work(worker)
    job = await live.job(job.id)
    assert job.status == "awaiting_approval" and EXECUTIVES in job.summary
    assert writes(sandbox.requests()) == ["POST /users/secops@contoso.com/sendMail"]   # the approval request
    await worker.admin.approve(job.id, by=Identity("ciso@contoso.com"), comment="confirmed with Nestor")
    await live.work(worker)
    job = await live.job(job.id)
    assert job.status == "awaiting_release"
    assert len(sandbox.user(NESTOR)["passwordChanges"]) == 1
    assert [(d.decision, d.by) for d in job.decisions][-1] == ("approve", "ciso@contoso.com")


async def test_a_cancelled_protected_job_changes_nothing(live, sandbox):
    worker = live.worker(PROTECTED_ACCOUNTS=EXECUTIVES)
    job, _ = await worker.intake.request(NESTOR, SWEEP)
    await live.work(worker)
    job = await worker.admin.cancel(job.id, by=Identity("ciso@contoso.com"), comment="travelling, known bulk send")
    await live.work(worker)
    job = await live.job(job.id)
    assert job.status == "cancelled" and job.decisions[-1].comment == "travelling, known bulk send"
    user = sandbox.user(NESTOR)
    assert user["passwordChanges"] == [] and user["revocations"] == []
    assert [rule["isEnabled"] for rule in user["inboxRules"]] == [True]
    assert writes(sandbox.requests()) == ["POST /users/secops@contoso.com/sendMail"]


async def test_dry_run_changes_nothing_in_the_tenant(live, sandbox):
    before = sandbox.state()
    worker = live.worker(REMEDIATION_MODE="dry-run")
    job, _ = await worker.intake.request(ADELE, SWEEP)
    await live.work(worker)
    job = await live.job(job.id)
    assert job.status == "planned" and job.mode == "dry-run"
    after = sandbox.state()
    for section in ("users", "blockedSenders", "passwordChanges", "revocations", "unblocks"):
        assert after[section] == before[section], section
    assert writes(sandbox.requests()) == ["POST /users/secops@contoso.com/sendMail"]
    assert after["outbox"][0]["message"]["subject"].startswith("[DRY-RUN PLAN]")
    assert "Would disable" in job.step("inbox_rules").detail


async def test_an_exhausted_unblock_budget_escalates_without_unblocking(live, sandbox):
    await live.worker().context.ports.store.record_unblock(ADELE, live.clock() - timedelta(days=2), "an-earlier-job")
    job = await run(live, ADELE, SWEEP)
    assert job.status == "escalated" and "unblock budget is used up" in job.summary
    assert "Remove-BlockedSenderAddress" not in writes(sandbox.requests())
    assert len(sandbox.user(ADELE)["passwordChanges"]) == 1         # secured all the same


async def test_microsofts_unblock_cap_escalates_and_is_not_retried(live, sandbox):
    scenario = sandbox.scenario()
    scenario["exchange"]["unblockLimit"] = 0
    sandbox.load(scenario)
    job = await run(live, ADELE)
    step = job.step("unblock_sender")
    assert step.status == "failed" and step.data["cap"] and "Microsoft Support" in step.detail
    assert job.status == "escalated"
    assert writes(sandbox.requests()).count("Remove-BlockedSenderAddress") == 1
    assert sandbox.state()["unblocks"] == {}


async def test_internal_forwarding_is_reported_and_its_rule_left_alone(live, sandbox):
    job = await run(live, ALEX)
    assert "Reported, not changed: 'Cover while on leave' forwards to megan@contoso.com" in \
        job.step("inbox_rules").detail
    assert [rule["isEnabled"] for rule in sandbox.user(ALEX)["inboxRules"]] == [True]
    assert job.status == "awaiting_release"
