"""The breaker: past BREAKER_MAX_JOBS_PER_HOUR automatic jobs in an hour, new ones wait for approval
(an admin's own requests do not) and the security team is mailed once an hour.

The limit is 0 here, so every automatic job is past it whatever the wall clock's hour: the count
itself (the third job of an hour with a limit of 2) is tested on an injected clock, in
tests/unit/playbook/test_approvals.py."""

from __future__ import annotations

import re

import pytest

from tests.e2e.support import ADMIN, BREAKER_MAIL, TERMINAL, azure_monitor_alert, breaker_mail_hours
from tests.polling import wait_for

pytestmark = pytest.mark.e2e

E2E_SETTINGS = {"BREAKER_MAX_JOBS_PER_HOUR": "0"}
ALEX, NESTOR, LEE = "alex@contoso.com", "nestor@contoso.com", "lee@contoso.com"
HELD = re.compile(r"Waiting for approval: the circuit breaker is open: \d+ automatic jobs started this hour, "
                  r"more than BREAKER_MAX_JOBS_PER_HOUR=0; a human approves each further job\.")


def test_automatic_jobs_past_the_breaker_wait_for_approval_and_an_admins_do_not(e2e):
    alert = e2e.http.post("/api/alerts/azure-monitor", json=azure_monitor_alert(ALEX, NESTOR),
                          headers={"x-functions-key": e2e.settings["FUNCTIONS_KEY"]})
    assert alert.status_code == 202, alert.text
    assert [job["status"] for job in alert.json()["jobs"]] == ["awaiting_approval"] * 2
    # An admin's own request is not automatic work: the breaker does not hold it.
    admin = e2e.http.post("/api/remediations", json={"user": LEE}, headers=e2e.bearer(ADMIN))
    assert admin.status_code == 202 and admin.json()["status"] == "queued"

    e2e.wait_for_job(LEE, TERMINAL)
    held = {}
    for user in (ALEX, NESTOR):
        held[user] = e2e.wait_for_job(user, "awaiting_approval")
        assert HELD.fullmatch(held[user]["summary"]), held[user]["summary"]
        assert [(entry["decision"], entry["breaker"]) for entry in held[user]["decisions"]] == [("hold", True)]
    wait_for(lambda: e2e.mails(BREAKER_MAIL), 10, "the breaker mail")
    assert e2e.sandbox.user(ALEX)["passwordChanges"] == [] and e2e.sandbox.user(NESTOR)["passwordChanges"] == []

    # A held job goes on once an admin approves it.
    approved = e2e.http.post(f"/api/remediations/{held[ALEX]['id']}/approve", headers=e2e.bearer(ADMIN))
    assert approved.status_code == 200, approved.text
    e2e.wait_for_job(ALEX, "resolved")
    assert e2e.http.post(f"/api/remediations/{held[NESTOR]['id']}/cancel", headers=e2e.bearer(ADMIN)).status_code == 200
    hours = breaker_mail_hours(e2e)
    assert hours and len(hours) == len(set(hours))   # once an hour, however the run fell across hours
