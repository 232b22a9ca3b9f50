"""One alert seen by the O365 webhook and by the alerts_v2 poll makes one job, whichever comes first.

The sandbox raises the alert as Microsoft does: an AlertEntityGenerated record (AlertId) in a
Management API content blob, and the alerts_v2 alert Graph lists (providerAlertId = AlertId)."""

from __future__ import annotations

import pytest

from tests.e2e.test_o365_webhook import notification, post
from tests.plugins.e2e import tenant_scenario
from tests.polling import wait_for

pytestmark = pytest.mark.e2e

ADELE = "adele@contoso.com"
E2E_SETTINGS = {"ALERTS_POLL_SCHEDULE": "* * * * * *"}   # every second
E2E_SCENARIO = {**tenant_scenario(), "alerts": [], "blockedSenders": []}


def a_poll_after(e2e, since: int) -> None:
    wait_for(lambda: e2e.log_lines(r"Executed 'Functions.poll_security_alerts'", since), 5, "a poll")


def test_the_poll_first_then_the_webhook_makes_one_job(e2e):
    alert = e2e.raise_alert(ADELE, notify=False)
    job = e2e.wait_for_job(ADELE, "resolved")
    assert job["trigger"]["source"] == "alerts_v2" and job["trigger"]["alertId"] == alert["alertId"]
    # The Management API's notification of the same alert comes later.
    response = post(e2e, [notification(e2e, alert["contentId"], alert["contentUri"])])
    assert response.status_code == 200, response.text
    wait_for(lambda: any(call["path"].endswith(alert["contentId"]) for call in e2e.outbound()), 10,
             "the content fetch")
    wait_for(lambda: e2e.queue_depth() == e2e.watches_pending(), 10, "the fetch_content message to be handled")
    assert [item["id"] for item in e2e.jobs()] == [job["id"]]


def test_the_webhook_and_the_poll_at_once_make_one_job(e2e):
    e2e.subscribe_o365()
    alert = e2e.raise_alert(ADELE)
    assert alert["notified"] == 200
    job = e2e.wait_for_job(ADELE, "resolved")       # fails at once on a second job for Adele
    assert job["trigger"]["alertId"] == alert["alertId"]
    a_poll_after(e2e, len(e2e.app.host.output))
    assert [item["id"] for item in e2e.jobs()] == [job["id"]]
