"""Names that are not a user, and alerts naming too many, through the local host: every intake
route answers 400 naming what it refused, before any job, message or mail (issue 11, defect 1)."""

from __future__ import annotations

import json

import pytest

from tests.e2e.support import ADMIN, ALERTS_SUBMIT, azure_monitor_alert, sentinel_incident

pytestmark = pytest.mark.e2e


def refused(response) -> str:
    assert response.status_code == 400, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    return response.json()["detail"]


@pytest.mark.parametrize("user", ["*", "a/b?c#d", "' or 1 eq 1", "adele@contoso.com\r\nBcc: all@contoso.com"],
                         ids=["star", "path and query", "OData", "CRLF"])
def test_a_name_that_is_not_a_user_is_refused_by_every_route_before_any_job_or_mail(e2e, user):
    responses = [
        e2e.http.post("/api/remediations", json={"user": user}, headers=e2e.bearer(ADMIN)),
        e2e.http.post("/api/alerts/sentinel", json=sentinel_incident(user), headers=e2e.bearer(ALERTS_SUBMIT)),
        e2e.http.post("/api/alerts/azure-monitor", json=azure_monitor_alert(user),
                      headers={"x-functions-key": e2e.settings["FUNCTIONS_KEY"]}),
    ]
    for response in responses:
        assert json.dumps(user) in refused(response)
    assert e2e.jobs() == [] and e2e.queue_depth() == 0 and e2e.sandbox.state()["outbox"] == []


def test_an_alert_naming_more_users_than_the_cap_is_refused(e2e):
    users = [f"user{number}@contoso.com" for number in range(51)]
    response = e2e.http.post("/api/alerts/azure-monitor", json=azure_monitor_alert(*users),
                             headers={"x-functions-key": e2e.settings["FUNCTIONS_KEY"]})
    assert "the alert names 51 users, more than MAX_USERS_PER_ALERT (50)" in refused(response)
    assert e2e.jobs() == [] and e2e.queue_depth() == 0
