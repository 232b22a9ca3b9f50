"""From outside: the breaker counts confirmed blocks only, and a hold nobody decides on expires.

APPROVAL_TIMEOUT_HOURS is 0.002 here (7.2 s): the expiry comes back through the app's own queue,
as the message it hides until the deadline."""

from __future__ import annotations

import pytest

from tests.e2e.support import ADMIN, BREAKER_MAIL, azure_monitor_alert
from tests.polling import wait_for

pytestmark = pytest.mark.e2e

NESTOR, ADELE = "nestor@contoso.com", "adele@contoso.com"
EXECUTIVES = "c4a8e1f2-9b3d-4e5f-a6b7-c8d9e0f1a2b3"   # Nestor's group in test.yaml
E2E_SETTINGS = {"BREAKER_MAX_JOBS_PER_HOUR": "20", "PROTECTED_ACCOUNTS": EXECUTIVES, "APPROVAL_TIMEOUT_HOURS": "0.002"}
NOT_BLOCKED = [f"nobody{n}@contoso.com" for n in range(21)]


def post_alert(e2e, *users: str) -> list[dict]:
    response = e2e.http.post("/api/alerts/azure-monitor", json=azure_monitor_alert(*users),
                             headers={"x-functions-key": e2e.settings["FUNCTIONS_KEY"]})
    assert response.status_code == 202, response.text
    return response.json()["jobs"]


def test_an_alert_naming_21_addresses_that_are_not_blocked_does_not_hold_the_next_real_block(e2e):
    assert len(post_alert(e2e, *NOT_BLOCKED)) == 21
    for user in NOT_BLOCKED:
        assert "not on the blocked list" in e2e.wait_for_job(user, "resolved")["summary"]
    post_alert(e2e, ADELE)
    job = e2e.wait_for_job(ADELE, "resolved")
    assert [entry["decision"] for entry in job["decisions"]] == []
    assert e2e.mails(BREAKER_MAIL) == []


def test_a_hold_nobody_decides_on_is_escalated_after_the_timeout_and_frees_the_user(e2e):
    response = e2e.http.post("/api/remediations", json={"user": NESTOR}, headers=e2e.bearer(ADMIN))
    assert response.status_code == 202, response.text
    held = e2e.wait_for_job(NESTOR, "awaiting_approval")
    job = e2e.wait_for_job(NESTOR, "escalated")
    assert job["id"] == held["id"]
    assert job["summary"].startswith("Escalated: nobody approved or cancelled the job within "
                                     "APPROVAL_TIMEOUT_HOURS=0.002 h")
    assert [entry["decision"] for entry in job["decisions"]] == ["hold", "expire"]
    wait_for(lambda: e2e.mails(f"[Escalated] {NESTOR}: approval timed out"), 10, "the expiry mail")
    nestor = e2e.sandbox.user(NESTOR)
    assert nestor["passwordChanges"] == [] and nestor["revocations"] == []
    again = e2e.http.post("/api/remediations", json={"user": NESTOR}, headers=e2e.bearer(ADMIN))
    assert again.status_code == 202 and again.json()["id"] != job["id"]
    assert e2e.http.post(f"/api/remediations/{again.json()['id']}/cancel", headers=e2e.bearer(ADMIN)).status_code == 200
