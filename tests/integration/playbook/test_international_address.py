"""A user blocked by an international address (RFC 6531 local part, as Exchange Online allows
beside an ASCII UPN), against Azurite and the sandbox: every Exchange step runs (the anchor header
stays ASCII), the account is secured, unblocked and resolved."""

from __future__ import annotations

import pytest

from tests.integration.playbook.support import writes

UPN, MAIL = "jurgen@contoso.com", "jürgen.größe@contoso.com"
OUTSIDE = "jg.archive@mailbox.example"


@pytest.fixture
def jurgen(sandbox) -> dict:
    scenario = sandbox.scenario()
    scenario["users"].append({
        "userPrincipalName": UPN, "displayName": "Jürgen Größe", "mail": MAIL, "proxyAddresses": [f"SMTP:{MAIL}"],
        "inboxRules": [{"displayName": "Archiv", "actions": {"forwardTo": [{"emailAddress": {"address": OUTSIDE}}]}}],
        "mailbox": {"ForwardingSmtpAddress": f"smtp:{OUTSIDE}", "DeliverToMailboxAndForward": True}})
    scenario["blockedSenders"] = [{"SenderAddress": MAIL, "Reason": "ExceedingLimitType=ExternalRecipients;"
                                   "OutboundSpam", "CreatedDatetime": "now-20m", "TemporaryBlock": False}]
    return sandbox.load(scenario)["users"][-1]


async def test_an_international_address_is_secured_unblocked_and_resolved(live, sandbox, jurgen):
    worker = live.worker()
    [job] = await worker.schedules.sweep()
    assert job.user == MAIL
    assert await live.work(worker) == [{"kind": "run", "jobId": job.id}]
    job = await live.job(job.id)
    assert job.status == "awaiting_release", job.summary

    user = sandbox.user(UPN)
    assert len(user["passwordChanges"]) == 1 and len(user["revocations"]) == 1
    assert [rule["isEnabled"] for rule in user["inboxRules"]] == [False]
    assert user["mailbox"]["ForwardingSmtpAddress"] is None and user["mailbox"]["DeliverToMailboxAndForward"] is False
    state = sandbox.state()
    assert state["unblocks"] == {MAIL: 1} and state["blockedSenders"] == []
    assert "Remove-BlockedSenderAddress" in writes(sandbox.requests())

    assert await live.deliver() == {"kind": "follow_up", "jobId": job.id, "attempt": 1}
    job = await live.job(job.id)
    assert job.status == "resolved", job.summary
