"""Rollback through the local host: an admin rolls back a false positive; what the job changed
comes back, the password and the unblock stay; a second rollback changes nothing; a reader is refused."""

from __future__ import annotations

import pytest

from tests.e2e.support import ADMIN, ADMIN_UPN, READER

pytestmark = pytest.mark.e2e

ADELE = "adele@contoso.com"
WHY = "false positive: the newsletter was hers"


def rollback(e2e, job_id: str, *roles: str, **body):
    return e2e.http.post(f"/api/remediations/{job_id}/rollback", json={"reason": WHY, **body},
                         headers=e2e.bearer(*roles))


def restores(e2e) -> list[str]:
    return [call["cmdlet"] for call in e2e.outbound() if call.get("cmdlet") in (
        "Enable-InboxRule", "Set-Mailbox", "Add-RecipientPermission", "Add-MailboxPermission", "Set-CASMailbox")]


def test_an_admin_rolls_back_a_job_and_a_second_rollback_changes_nothing(e2e):
    response = e2e.http.post("/api/remediations", json={"user": ADELE, "reason": "reported"},
                             headers=e2e.bearer(ADMIN))
    assert response.status_code == 202, response.text
    job = e2e.wait_for_job(ADELE, ("awaiting_release", "resolved"))
    before_rollback = len(e2e.outbound())

    assert rollback(e2e, job["id"], READER).status_code == 403
    assert rollback(e2e, job["id"], ADMIN, items=["reset_password"]).status_code == 400
    rolled = rollback(e2e, job["id"], ADMIN)
    assert rolled.status_code == 200, rolled.text
    body = rolled.json()
    [record] = body["rollbacks"]
    assert record["by"].startswith(ADMIN_UPN) and record["reason"] == WHY and body["status"] == job["status"]
    adele = e2e.sandbox.user(ADELE)
    assert adele["mailbox"]["ForwardingSmtpAddress"] == "smtp:adele.vance.backup@mailbox.example"
    assert adele["mailbox"]["SmtpClientAuthenticationDisabled"] is False and adele["mailbox"]["PopEnabled"] is True
    assert [entry["Trustee"] for entry in adele["recipientPermissions"]] == ["Invoices Desk"]
    assert {rule["displayName"]: rule["isEnabled"] for rule in adele["inboxRules"]}["."] is True
    assert len(adele["passwordChanges"]) == 1 and "Add-BlockedSenderAddress" not in str(e2e.outbound())
    made = restores(e2e)
    assert set(made) >= {"Enable-InboxRule", "Set-Mailbox", "Add-RecipientPermission", "Set-CASMailbox"}
    assert len(e2e.outbound()) > before_rollback

    again = rollback(e2e, job["id"], ADMIN)
    assert again.status_code == 200 and len(again.json()["rollbacks"]) == 2
    assert restores(e2e) == made                  # nothing more was written
