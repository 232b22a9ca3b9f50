"""The sweep timer finds a block that no alert reported and remediates it, once."""

from __future__ import annotations

import pytest

from tests.polling import wait_for
from tests.plugins.e2e import tenant_scenario

pytestmark = pytest.mark.e2e

ADELE = "adele@contoso.com"
E2E_SETTINGS = {"SWEEP_SCHEDULE": "* * * * * *"}   # every second
# Only Adele is blocked, and nobody is subscribed to the Management API: no alert will tell the app.
E2E_SCENARIO = {**tenant_scenario(), "alerts": []}
E2E_SCENARIO["blockedSenders"] = [entry for entry in E2E_SCENARIO["blockedSenders"] if entry["SenderAddress"] == ADELE]


def test_the_sweep_starts_one_job_for_an_unreported_block_and_it_is_resolved(e2e):
    job = e2e.wait_for_job(ADELE, "resolved")
    assert job["trigger"]["source"] == "sweep" and job["trigger"]["reason"].startswith("blocked since ")
    assert job["block"]["senderAddress"] == ADELE
    # The sweeps that ran while the job did, and the ones after it, start nothing more.
    resolved_at = len(e2e.app.host.output)
    wait_for(lambda: e2e.log_lines(r"sweep: 0 job\(s\)", resolved_at), 5, "a sweep after the job")
    assert [item["id"] for item in e2e.jobs()] == [job["id"]]
    assert len(e2e.log_lines(r"sweep: 1 job\(s\)")) == 1
