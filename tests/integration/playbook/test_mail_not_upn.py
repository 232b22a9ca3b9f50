"""A user whose mail address is not the UPN, blocked by that address, against Azurite and the
sandbox: the sweep finds the block, Graph is reached through the user the address names
(GET /users/{address} is a 404 there), Exchange's mailbox cmdlets by the UPN Graph resolved and its
blocked list by the address, and the job is resolved. The same for a user blocked under an alias."""

from __future__ import annotations

import pytest

from tests.integration.playbook.support import writes

JOHN_UPN, JOHN_MAIL, JOHN_ALIAS = "jdoe@corp.contoso.com", "john.doe@contoso.com", "j.doe@contoso.com"
OUTSIDE = "jd.archive@mailbox.example"


@pytest.fixture
def john(sandbox) -> dict:
    """John signs in as jdoe@corp.contoso.com and sends as john.doe@contoso.com, the only blocked sender."""
    scenario = sandbox.scenario()
    scenario["tenant"]["domains"].append({"id": "corp.contoso.com"})
    scenario["users"].append({
        "userPrincipalName": JOHN_UPN, "displayName": "John Doe", "mail": JOHN_MAIL,
        "proxyAddresses": [f"SMTP:{JOHN_MAIL}", f"smtp:{JOHN_ALIAS}"],
        "inboxRules": [{"displayName": "Archive", "actions": {"forwardTo": [{"emailAddress": {"address": OUTSIDE}}]}}],
        "mailbox": {"ForwardingSmtpAddress": f"smtp:{OUTSIDE}", "DeliverToMailboxAndForward": True}})
    scenario["blockedSenders"] = [{"SenderAddress": JOHN_MAIL, "Reason": "ExceedingLimitType=ExternalRecipients;"
                                   "OutboundSpam", "CreatedDatetime": "now-20m", "TemporaryBlock": False}]
    return sandbox.load(scenario)["users"][-1]


async def test_a_user_blocked_by_a_mail_address_that_is_not_the_upn_is_secured_unblocked_and_resolved(
        live, sandbox, john):
    # The security team's list holds John's alias by mistake: he must not be mailed about his own account.
    worker = live.worker(NOTIFY_RECIPIENTS=f"soc@contoso.com,{JOHN_ALIAS.upper()}")
    [job] = await worker.schedules.sweep()
    assert (job.user, job.trigger.source) == (JOHN_MAIL, "sweep")
    assert await live.work(worker) == [{"kind": "run", "jobId": job.id}]
    job = await live.job(job.id)
    assert job.status == "awaiting_release", job.summary
    assert job.step("confirm_block").status == "done" and job.block["senderAddress"] == JOHN_MAIL

    user = sandbox.user(JOHN_UPN)
    assert [change["forceChangePasswordNextSignIn"] for change in user["passwordChanges"]] == [True]
    assert len(user["revocations"]) == 1
    assert [rule["isEnabled"] for rule in user["inboxRules"]] == [False]
    assert user["mailbox"] == {"ForwardingSmtpAddress": None, "ForwardingAddress": None,
                               "DeliverToMailboxAndForward": False, "SmtpClientAuthenticationDisabled": True,
                               "PopEnabled": False, "ImapEnabled": False}
    state = sandbox.state()
    assert state["unblocks"] == {JOHN_MAIL: 1} and state["blockedSenders"] == []
    [mail] = state["outbox"]
    assert [to["emailAddress"]["address"] for to in mail["message"]["toRecipients"]] == ["soc@contoso.com"]

    requests = sandbox.requests()
    assert {request["status"] for request in requests if request["path"].endswith(f"/users/{JOHN_MAIL}")} == {404}
    lookups = [request for request in requests if request["path"].endswith("/v1.0/users")]
    assert lookups and {request["status"] for request in lookups} == {200}
    assert writes(requests)[:2] == [f"PATCH /users/{john['id']}", f"POST /users/{john['id']}/revokeSignInSessions"]

    assert await live.deliver() == {"kind": "follow_up", "jobId": job.id, "attempt": 1}
    job = await live.job(job.id)
    assert job.status == "resolved" and job.step("follow_up").status == "done", job.summary


async def test_a_job_for_the_object_id_is_keyed_by_the_mail_address_and_secures_the_account(live, sandbox, john):
    job_id = await live.request(john["id"])
    await live.work()
    job = await live.job(job_id)
    assert (job.user, job.status) == (JOHN_MAIL, "awaiting_release"), job.summary
    assert len(sandbox.user(JOHN_UPN)["passwordChanges"]) == 1 and sandbox.state()["unblocks"] == {JOHN_MAIL: 1}


async def test_a_user_blocked_under_an_alias_has_the_mailbox_graph_resolved_secured(live, sandbox, john):
    scenario = sandbox.scenario()
    scenario["blockedSenders"][0]["SenderAddress"] = JOHN_ALIAS
    sandbox.load(scenario)
    [job] = await live.worker().schedules.sweep()
    assert job.user == JOHN_ALIAS
    await live.work()
    job = await live.job(job.id)
    assert job.status == "awaiting_release", job.summary
    mailbox_calls = [request for request in sandbox.requests()
                     if request.get("cmdlet") in ("Get-Mailbox", "Set-Mailbox", "Get-InboxRule", "Disable-InboxRule")]
    assert mailbox_calls
    assert {request["body"]["CmdletInput"]["Parameters"].get("Identity")
            or request["body"]["CmdletInput"]["Parameters"].get("Mailbox") for request in mailbox_calls} == {JOHN_UPN}
    assert sandbox.user(JOHN_UPN)["mailbox"]["ForwardingSmtpAddress"] is None
    assert sandbox.state()["unblocks"] == {JOHN_ALIAS: 1}
    assert f"Cleared the mailbox forwarding of {JOHN_UPN}" in job.step("mailbox_forwarding").detail
