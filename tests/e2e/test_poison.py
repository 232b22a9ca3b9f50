"""The poison path: a step that fails transiently on every attempt ends the job `failed` with the
reason, the message lands in `<queue>-poison`, and the poison report timer reports it."""

from __future__ import annotations

import json

import pytest

from tests.e2e.support import ADMIN
from tests.polling import wait_for
from tests.plugins.host import ROOT

pytestmark = pytest.mark.e2e

ADELE = "adele@contoso.com"
# The repo's maxDequeueCount (the app reads it from host.json too), retried at once rather than every 30 s.
MAX_DEQUEUE_COUNT = json.loads((ROOT / "host.json").read_text())["extensions"]["queues"]["maxDequeueCount"]
E2E_HOST_JSON = {"visibilityTimeout": "00:00:00"}
E2E_SETTINGS = {"POISON_SCHEDULE": "* * * * * *", "RETRY_MAX_WAIT_SECONDS": "0"}


def test_a_step_failing_on_every_attempt_fails_the_job_and_poisons_the_message(e2e):
    e2e.sandbox.fault(kind="503", method="POST", path="/revokeSignInSessions$", count=100)
    response = e2e.http.post("/api/remediations", json={"user": ADELE}, headers=e2e.bearer(ADMIN))
    assert response.status_code == 202, response.text
    job = e2e.wait_for_job(ADELE, "failed")
    assert job["summary"].startswith(f"Failed: gave up after {MAX_DEQUEUE_COUNT} attempts: ")
    revoke = job["steps"][2]
    assert revoke["name"] == "revoke_sessions" and revoke["status"] == "failed"
    assert revoke["detail"] == job["summary"].removeprefix("Failed: ")
    assert "temporarily unavailable" in revoke["detail"]   # the service's own words
    assert [step["status"] for step in job["steps"][:2]] == ["done", "done"]

    [poisoned] = wait_for(e2e.poison, 10, "the message on the poison queue")
    assert poisoned == {"kind": "run", "jobId": job["id"]}
    wait_for(lambda: e2e.log_lines(rf"ERROR: poison message: .*'jobId': '{job['id']}', 'jobStatus': 'failed'"), 10,
             "the poison report naming the failed job")

    revocations = [call for call in e2e.outbound() if call["path"].endswith("/revokeSignInSessions")]
    assert len(revocations) == MAX_DEQUEUE_COUNT   # one call an attempt: RETRY_MAX_WAIT_SECONDS=0
    # Each redelivery resumed after the steps already done: the password was reset once.
    assert len(e2e.sandbox.user(ADELE)["passwordChanges"]) == 1
    assert ADELE in [entry["SenderAddress"] for entry in e2e.sandbox.state()["blockedSenders"]]
