"""The breaker: past BREAKER_MAX_JOBS_PER_HOUR automatic jobs in an hour, new ones wait for approval
(an admin's own requests do not) and the security team is mailed."""

from __future__ import annotations

import pytest

from tests.e2e.support import ADMIN, BREAKER_MAIL, TERMINAL, azure_monitor_alert, clear_of_the_hour
from tests.polling import wait_for

pytestmark = pytest.mark.e2e

E2E_SETTINGS = {"BREAKER_MAX_JOBS_PER_HOUR": "2"}
ADELE, MEGAN, ALEX, NESTOR, LEE = ("adele@contoso.com", "megan@contoso.com", "alex@contoso.com",
                                   "nestor@contoso.com", "lee@contoso.com")


def alert(e2e, *users: str) -> list[dict]:
    """One Azure Monitor alert naming `users`; the jobs it started, as the response shows them."""
    response = e2e.http.post("/api/alerts/azure-monitor", json=azure_monitor_alert(*users),
                             headers={"x-functions-key": e2e.settings["FUNCTIONS_KEY"]})
    assert response.status_code == 202, response.text
    return response.json()["jobs"]


def test_the_third_automatic_job_in_an_hour_waits_for_approval(e2e):
    clear_of_the_hour()
    e2e.raise_alert(MEGAN)
    assert [job["status"] for job in alert(e2e, ADELE) + alert(e2e, MEGAN)] == ["queued", "queued"]
    assert [job["status"] for job in alert(e2e, ALEX) + alert(e2e, NESTOR)] == ["awaiting_approval"] * 2
    # An admin's own request is not automatic work: the breaker does not hold it.
    admin = e2e.http.post("/api/remediations", json={"user": LEE}, headers=e2e.bearer(ADMIN))
    assert admin.status_code == 202 and admin.json()["status"] == "queued"

    for user in (ADELE, MEGAN):
        e2e.wait_for_job(user, "resolved")
    e2e.wait_for_job(LEE, TERMINAL)
    held = {}
    for user, count in ((ALEX, 3), (NESTOR, 4)):
        held[user] = e2e.wait_for_job(user, "awaiting_approval")
        reason = f"{count} automatic jobs started this hour, more than BREAKER_MAX_JOBS_PER_HOUR=2"
        assert reason in held[user]["summary"]
        assert [(entry["decision"], entry["breaker"]) for entry in held[user]["decisions"]] == [("hold", True)]
    wait_for(lambda: e2e.mails(BREAKER_MAIL), 10, "the breaker mail")
    assert e2e.sandbox.user(ALEX)["passwordChanges"] == [] and e2e.sandbox.user(NESTOR)["passwordChanges"] == []

    # A held job goes on once an admin approves it.
    approved = e2e.http.post(f"/api/remediations/{held[ALEX]['id']}/approve", headers=e2e.bearer(ADMIN))
    assert approved.status_code == 200, approved.text
    e2e.wait_for_job(ALEX, "resolved")
    assert e2e.http.post(f"/api/remediations/{held[NESTOR]['id']}/cancel", headers=e2e.bearer(ADMIN)).status_code == 200
    assert len(e2e.mails(BREAKER_MAIL)) == 1
