"""The concurrency suite: two hosts of the app on one storage account (one queue, one table, one
host ID, as two instances of one Function app), and the same blocks reported by every source at
once: the O365 webhook, Azure Monitor and Sentinel (each to both hosts), an admin's POST (to both),
the sweep and the Graph alerts_v2 poll (timers firing every second). One job per block.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from localdev.tenant.crowd import crowd
from tests.e2e.ledger import assert_each_change_once
from localdev.host.singleton import HOST_ID_SETTING
from tests.e2e.support import ADMIN, ALERTS_SUBMIT, TERMINAL, EndToEnd, azure_monitor_alert, sentinel_incident
from tests.plugins.e2e import AppHosts, tenant_scenario
from tests.plugins.sandbox import Sandbox
from tests.polling import wait_for

pytestmark = pytest.mark.e2e

# The users exist but nobody is blocked yet: the test blocks them, all at once.
SCENARIO, USERS = crowd(tenant_scenario(), "adele@contoso.com", 6)
QUIET = {**SCENARIO, "blockedSenders": [], "alerts": []}
EVERY_SECOND = "* * * * * *"


@pytest.fixture(scope="module")
def two_hosts(azurite, sandbox_server, tmp_path_factory):
    sandbox = Sandbox(sandbox_server.url, QUIET)
    sandbox.load()
    settings = {"SWEEP_SCHEDULE": EVERY_SECOND, "ALERTS_POLL_SCHEDULE": EVERY_SECOND,
                HOST_ID_SETTING: f"twins-{uuid.uuid4().hex[:8]}"}
    hosts = AppHosts(tmp_path_factory.mktemp("twins"), azurite.connection_string, sandbox, settings, {})
    runs = [hosts.start(), hosts.start()]
    yield runs
    for run in runs:
        run.close()
    hosts.stop_all()
    sandbox.close()


def _every_source(run: EndToEnd, user: str) -> list:
    """The calls that report `user`'s block to one host (the O365 webhook is the sandbox's own call)."""
    key = {"x-functions-key": run.settings["FUNCTIONS_KEY"]}
    return [lambda: run.http.post("/api/alerts/azure-monitor", json=azure_monitor_alert(user), headers=key),
            lambda: run.http.post("/api/alerts/sentinel", json=sentinel_incident(user),
                                  headers=run.bearer(ALERTS_SUBMIT)),
            lambda: run.http.post("/api/remediations", json={"user": user}, headers=run.bearer(ADMIN))]


@pytest.fixture(scope="module")
def reported(two_hosts) -> EndToEnd:
    """Every block reported by every source to both hosts at once, every job ended, and one more sweep
    and poll after that."""
    first = two_hosts[0]
    first.subscribe_o365()
    calls = [lambda user=user: first.raise_alert(user) for user in USERS]   # blocks, alerts, notifies the webhook
    calls += [call for run in two_hosts for user in USERS for call in _every_source(run, user)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda call: call(), calls))
    refused = [answer.text for answer in answers[len(USERS):] if answer.status_code not in (200, 202, 409)]
    assert not refused, refused

    def ended() -> list[dict] | None:
        jobs = first.jobs()
        return jobs if {job["user"] for job in jobs} == set(USERS) and all(
            job["status"] in TERMINAL for job in jobs) else None

    wait_for(ended, 90, lambda: f"a job for each user to end: {[(j['user'], j['status']) for j in first.jobs()]}")
    # The timers keep firing on the released tenant: wait for one more sweep and poll after the end.
    lines = [len(run.app.host.output) for run in two_hosts]
    for name in ("sweep_blocked_senders", "poll_security_alerts"):
        wait_for(lambda: any(run.log_lines(rf"Executed 'Functions.{name}'", since)
                             for run, since in zip(two_hosts, lines)), 10, f"a {name} after the jobs ended")
    return first


def test_every_block_is_secured_and_released_and_each_change_happens_once(reported):
    jobs = reported.jobs()
    assert {job["user"] for job in jobs} == set(USERS)
    assert {job["status"] for job in jobs if job["trigger"]["source"] != "alerts_v2"} == {"resolved"}
    assert set(reported.sandbox.state()["unblocks"]) == set(USERS)
    assert_each_change_once(reported.sandbox)


@pytest.mark.xfail(strict=True, reason="open gap: an alerts_v2 poll after the job ended starts a second job (it changes "
                                       "nothing: the block is gone) when another source (admin, Azure Monitor, Sentinel) "
                                       "started the first; only the O365 and alerts_v2 paths share an alert key")
def test_one_job_per_block_whatever_reports_it_and_whichever_host_hears_it(reported):
    jobs = reported.jobs()
    assert Counter(job["user"] for job in jobs) == Counter(USERS), \
        json.dumps([(job["user"], job["trigger"]["source"], job["status"]) for job in jobs], indent=1)
