"""The breaker's mail to the security team is sent once an hour, however many held jobs run at once
(a module of its own: the hour's count and its mail marker live in the module's table).

The limit is 0, so both jobs are held whatever the wall clock's hour; a run that falls across
two hours may mail once for each, never twice for one."""

from __future__ import annotations

import pytest

from tests.e2e.support import azure_monitor_alert, breaker_mail_hours
from tests.polling import wait_for

pytestmark = pytest.mark.e2e

E2E_SETTINGS = {"BREAKER_MAX_JOBS_PER_HOUR": "0"}
ALEX, NESTOR = "alex@contoso.com", "nestor@contoso.com"


def test_two_held_jobs_running_at_once_mail_the_team_once_an_hour(e2e):
    # Sending mail takes a second, as Graph's sendMail may: long enough for both held jobs to look for the marker.
    e2e.sandbox.fault(kind="latency", latencyMs=1000, method="POST", path="/sendMail$")
    headers = {"x-functions-key": e2e.settings["FUNCTIONS_KEY"]}
    both = e2e.http.post("/api/alerts/azure-monitor", json=azure_monitor_alert(ALEX, NESTOR), headers=headers)
    assert [job["status"] for job in both.json()["jobs"]] == ["awaiting_approval"] * 2

    wait_for(lambda: e2e.queue_depth() == 0, 10, "both held jobs' run messages to be handled")
    hours = breaker_mail_hours(e2e)
    assert hours and len(hours) == len(set(hours))
