"""The breaker's mail to the security team is sent once an hour, however many held jobs run at once
(a module of its own: the hour's count and its mail marker live in the module's table)."""

from __future__ import annotations

import pytest

from tests.e2e.support import BREAKER_MAIL, azure_monitor_alert, clear_of_the_hour
from tests.polling import wait_for

pytestmark = pytest.mark.e2e

E2E_SETTINGS = {"BREAKER_MAX_JOBS_PER_HOUR": "1"}
ADELE, ALEX, NESTOR = "adele@contoso.com", "alex@contoso.com", "nestor@contoso.com"


def test_two_held_jobs_running_at_once_mail_the_team_once(e2e):
    clear_of_the_hour()
    # Sending mail takes a second, as Graph's sendMail may: long enough for both held jobs to look for the marker.
    e2e.sandbox.fault(kind="latency", latencyMs=1000, method="POST", path="/sendMail$")
    headers = {"x-functions-key": e2e.settings["FUNCTIONS_KEY"]}
    first = e2e.http.post("/api/alerts/azure-monitor", json=azure_monitor_alert(ADELE), headers=headers)
    assert [job["status"] for job in first.json()["jobs"]] == ["queued"]
    both = e2e.http.post("/api/alerts/azure-monitor", json=azure_monitor_alert(ALEX, NESTOR), headers=headers)
    assert [job["status"] for job in both.json()["jobs"]] == ["awaiting_approval"] * 2

    e2e.wait_for_job(ADELE, "resolved")
    wait_for(lambda: e2e.queue_depth() == 0, 10, "both held jobs' run messages to be handled")
    assert len(e2e.mails(BREAKER_MAIL)) == 1
