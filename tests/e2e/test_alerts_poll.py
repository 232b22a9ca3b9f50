"""The Graph alerts_v2 poll timer: an alert that reached no webhook still starts the job, once."""

from __future__ import annotations

import pytest

from tests.polling import wait_for
from tests.plugins.e2e import tenant_scenario

pytestmark = pytest.mark.e2e

ADELE = "adele@contoso.com"
E2E_SETTINGS = {"ALERTS_POLL_SCHEDULE": "* * * * * *"}   # every second; the sweep stays off
# Nobody is blocked and nothing is subscribed: only the alert raised below, seen through Graph, tells the app.
E2E_SCENARIO = {**tenant_scenario(), "alerts": [], "blockedSenders": []}


def test_an_alert_seen_only_through_graph_starts_one_job_and_it_is_resolved(e2e):
    alert = e2e.raise_alert(ADELE, notify=False)
    job = e2e.wait_for_job(ADELE, "resolved")
    assert job["trigger"]["source"] == "alerts_v2" and job["trigger"]["alertId"]
    assert alert["alertId"] in job["trigger"]["alertId"]
    # Later polls see the same alert (or none newer than the watermark) and start nothing more.
    resolved_at = len(e2e.app.host.output)
    wait_for(lambda: e2e.log_lines(r"Executed 'Functions.poll_security_alerts'", resolved_at), 5,
             "a poll after the job")
    assert [item["id"] for item in e2e.jobs()] == [job["id"]]
