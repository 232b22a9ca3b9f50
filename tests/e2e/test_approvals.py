"""Approval through the admin API: a protected account waits for a human, who approves or cancels;
and the blocked list shows each sender with its job."""

from __future__ import annotations

import pytest

from tests.e2e.support import ADMIN, ADMIN_UPN, READER
from tests.polling import wait_for

pytestmark = pytest.mark.e2e

NESTOR = "nestor@contoso.com"
EXECUTIVES = "c4a8e1f2-9b3d-4e5f-a6b7-c8d9e0f1a2b3"   # Nestor's group in test.yaml
E2E_SETTINGS = {"PROTECTED_ACCOUNTS": EXECUTIVES}
BLOCKED = ["adele@contoso.com", "lee@contoso.com", "diego@fabrikam.com", NESTOR, "alex@contoso.com"]


def held_job(e2e, user: str = NESTOR) -> dict:
    """An admin's job for a protected user, once it waits for approval and the team was asked."""
    response = e2e.http.post("/api/remediations", json={"user": user, "reason": "reported by the user"},
                             headers=e2e.bearer(ADMIN))
    assert response.status_code == 202, response.text
    assert response.headers["Location"] == response.json()["url"]
    job = e2e.wait_for_job(user, "awaiting_approval")
    assert EXECUTIVES in job["summary"]
    wait_for(lambda: e2e.mails(f"[Approval needed] {user}"), 10, "the approval request mail")
    return job


def decide(e2e, job: dict, decision: str, *roles: str, **claims: str):
    return e2e.http.post(f"/api/remediations/{job['id']}/{decision}", json={"comment": "checked with Nestor"},
                         headers=e2e.bearer(*roles, **claims))


def tenant_writes(e2e) -> list[str]:
    """Every change the app asked of the tenant, mail aside."""
    changes = []
    for call in e2e.outbound():
        cmdlet = call.get("cmdlet") or ""
        if cmdlet and not cmdlet.startswith("Get-"):
            changes.append(cmdlet)
        elif not cmdlet and call["method"] in ("PATCH", "DELETE", "POST") and not call["path"].endswith(
                ("checkMemberGroups", "sendMail")):
            changes.append(f"{call['method']} {call['path']}")
    return changes


def test_an_admin_approves_a_protected_account_and_the_job_is_resolved(e2e):
    job = held_job(e2e)
    refused = decide(e2e, job, "approve", READER)
    assert refused.status_code == 403 and refused.json()["status"] == 403
    assert e2e.job(job["id"])["status"] == "awaiting_approval"

    approved = decide(e2e, job, "approve", ADMIN)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "queued"
    job = e2e.wait_for_job(NESTOR, "resolved")
    [decision] = [entry for entry in job["decisions"] if entry["decision"] == "approve"]
    assert decision["by"].startswith(ADMIN_UPN) and decision["comment"] == "checked with Nestor"
    assert job["trigger"]["requestedBy"].startswith(ADMIN_UPN)
    nestor = e2e.sandbox.user(NESTOR)
    assert len(nestor["passwordChanges"]) == 1 and not nestor["inboxRules"][0]["isEnabled"]
    assert NESTOR not in [entry["SenderAddress"] for entry in e2e.sandbox.state()["blockedSenders"]]


def test_the_admin_who_requested_a_protected_accounts_job_cannot_approve_it(e2e):
    requester = {"oid": "7c0f3e2a-1111-4222-8333-944445555666"}
    response = e2e.http.post("/api/remediations", json={"user": NESTOR}, headers=e2e.bearer(ADMIN, **requester))
    assert response.status_code == 202, response.text
    job = e2e.wait_for_job(NESTOR, "awaiting_approval")
    assert job["trigger"]["requestedById"] == requester["oid"]

    refused = decide(e2e, job, "approve", ADMIN, **requester)
    assert refused.status_code == 403, refused.text
    assert f"requested job {job['id']}: another admin must approve it" in refused.json()["detail"]
    assert e2e.job(job["id"])["status"] == "awaiting_approval"
    assert decide(e2e, job, "approve", ADMIN, oid="9d8e7f60-aaaa-4bbb-8ccc-ddddeeeeffff").status_code == 200
    e2e.wait_for_job(NESTOR, "resolved")


def test_a_cancelled_job_changes_nothing_in_the_tenant(e2e):
    job = held_job(e2e)
    cancelled = decide(e2e, job, "cancel", ADMIN)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    job = e2e.job(job["id"])
    assert job["status"] == "cancelled"
    assert [entry["decision"] for entry in job["decisions"]] == ["hold", "cancel"]
    assert all(step["status"] in ("done", "skipped") for step in job["steps"])
    assert decide(e2e, job, "approve", ADMIN).status_code == 409
    assert tenant_writes(e2e) == []
    nestor = e2e.sandbox.user(NESTOR)
    assert nestor["passwordChanges"] == [] and nestor["revocations"] == [] and nestor["inboxRules"][0]["isEnabled"]
    assert NESTOR in [entry["SenderAddress"] for entry in e2e.sandbox.state()["blockedSenders"]]


def test_the_restricted_senders_list_shows_each_blocked_sender_with_its_job(e2e):
    job = held_job(e2e)
    response = e2e.http.get("/api/restricted-senders", headers=e2e.bearer(READER))
    assert response.status_code == 200
    listed = {item["senderAddress"]: (item["jobId"], item["jobStatus"]) for item in response.json()["items"]}
    assert sorted(listed) == sorted(BLOCKED)
    assert listed[NESTOR] == (job["id"], "awaiting_approval")
    assert {listed[user] for user in BLOCKED if user != NESTOR} == {(None, None)}
    assert decide(e2e, job, "cancel", ADMIN).status_code == 200   # leaves nothing running for the next test
