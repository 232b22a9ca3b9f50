"""The standard compromise against Azurite and the sandbox tenant: secured, unblocked, follow-up resolved."""

from __future__ import annotations

from tests.integration.playbook.support import ADELE, writes


async def test_the_standard_compromise_is_secured_unblocked_and_resolved(live, sandbox):
    job_id = await live.request(ADELE)
    assert await live.work() == [{"kind": "run", "jobId": job_id}]
    job = await live.job(job_id)
    assert job.status == "awaiting_release", job.summary

    user = sandbox.user(ADELE)
    assert [change["forceChangePasswordNextSignIn"] for change in user["passwordChanges"]] == [True]
    assert len(user["revocations"]) == 1
    assert {rule["displayName"]: rule["isEnabled"] for rule in user["inboxRules"]} == {
        "Team updates": True, ".": False, "..": False}
    assert user["mailbox"] == {"ForwardingSmtpAddress": None, "ForwardingAddress": None,
                               "DeliverToMailboxAndForward": False, "SmtpClientAuthenticationDisabled": True,
                               "PopEnabled": False, "ImapEnabled": False}
    state = sandbox.state()
    assert state["unblocks"] == {ADELE: 1}
    assert ADELE not in [entry["SenderAddress"] for entry in state["blockedSenders"]]
    [mail] = state["outbox"]
    assert mail["from"] == "secops@contoso.com"
    assert [r["emailAddress"]["address"] for r in mail["message"]["toRecipients"]] == ["soc@contoso.com"]
    assert f"https://responder.contoso.com/api/remediations/{job_id}" in mail["message"]["body"]["content"]

    order = writes(sandbox.requests())
    user_id = user["id"]
    assert order == [f"PATCH /users/{user_id}", f"POST /users/{user_id}/revokeSignInSessions",
                     f"PATCH /users/{user_id}/mailFolders/inbox/messageRules/AQAAAJ5dZqA=", "Disable-InboxRule",
                     "Set-Mailbox", "Remove-RecipientPermission",
                     f"DELETE /users/{user_id}/authentication/microsoftAuthenticatorMethods/"
                     "6a5f3c1e-0d2b-4e7a-9c8f-1b2a3d4e5f60", "Set-CASMailbox",
                     "POST /identityProtection/riskyUsers/confirmCompromised", "Remove-BlockedSenderAddress",
                     "POST /users/secops@contoso.com/sendMail"]
    assert [method["@odata.type"] for method in user["authenticationMethods"]] == [
        "#microsoft.graph.phoneAuthenticationMethod"]   # undated: kept, listed for a human
    assert user["riskState"] == "confirmedCompromised"

    assert job.step("auth_methods").data["removed"][0]["type"] == "microsoftAuthenticator 'Pixel 7'"
    assert "'..' (hidden) moves mail to RSS Feeds" in job.step("inbox_rules").detail
    assert "adele.vance.backup@mailbox.example" in job.step("inbox_rules").detail

    assert await live.deliver() == {"kind": "follow_up", "jobId": job_id, "attempt": 1}   # 1 s later
    job = await live.job(job_id)
    assert job.status == "resolved" and job.step("follow_up").status == "done"
    assert len(sandbox.user(ADELE)["passwordChanges"]) == 1
