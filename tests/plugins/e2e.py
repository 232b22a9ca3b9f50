"""Fixtures for the end-to-end tests: the real function_app.py on the local host (a subprocess),
with Azurite and the sandbox tenant, driven over HTTP only (tests/e2e/support.py has the driver).

    e2e_host   module    `python -m localdev.host` serving function_app.py against the sandbox, with the
                         module's own queue and table. A test module may set
                             E2E_SETTINGS = {...}     app settings on top of `base_settings()`
                             E2E_HOST_JSON = {...}    extensions.queues options on top of the repo's host.json
                             E2E_SCENARIO = {...}     the tenant instead of test.yaml (`tenant_scenario()` edited)
    e2e        function  the tenant reset to the module's scenario, and an `EndToEnd` driving the app

`AppHosts` starts hosts of the app by hand (the suites that kill, restart or double the host).

Timers that are not under test fire once a year, so nothing runs between the calls a test makes.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Mapping

import pytest

from localdev.run import app_environment
from localdev.tenant import scenario as scenarios
from tests.e2e.support import AppUnderTest, EndToEnd
from tests.polling import wait_for
from tests.plugins.host import ROOT, start_host_process
from tests.plugins.sandbox import TEST_SCENARIO, Sandbox

RARELY = "0 0 0 1 1 *"            # 1 January, midnight: a timer that is not under test
# The local host polls an idle queue every 2 s; the follow-up message of a 1 s delay should not wait that long.
FAST_QUEUES = {"maxPollingInterval": "00:00:00.200"}


def base_settings(storage: str, sandbox_url: str, tenant_id: str, names: str) -> dict[str, str]:
    """What `make run` sets (localdev/run.py), with the module's own queue and table, a 1 s follow-up,
    quiet timers and room for many jobs per user."""
    return {
        **app_environment(storage, sandbox_url, tenant_id, auth_id=uuid.uuid4().hex),
        "REMEDIATION_QUEUE": f"q{names}", "JOBS_TABLE": names, "FOLLOW_UP_DELAY_SECONDS": "1",
        "SWEEP_SCHEDULE": RARELY, "ALERTS_POLL_SCHEDULE": RARELY, "POISON_SCHEDULE": RARELY,
        # Tests of one module share a table: each may unblock the same user again.
        "UNBLOCK_BUDGET_COUNT": "1000", "BREAKER_MAX_JOBS_PER_HOUR": "1000", "RETRY_MAX_WAIT_SECONDS": "1",
    }


def host_json(queue_options: Mapping[str, Any]) -> dict:
    """The repo's host.json with extensions.queues changed."""
    config = json.loads((ROOT / "host.json").read_text(encoding="utf-8"))
    config["extensions"]["queues"] = {**config["extensions"]["queues"], **FAST_QUEUES, **queue_options}
    return config


def tenant_scenario() -> dict:
    """A fresh copy of localdev/scenarios/test.yaml, for a module to edit into its E2E_SCENARIO."""
    return scenarios.read(TEST_SCENARIO)


def _tenant(module, sandbox_url: str, *, quiet: bool = False) -> Sandbox:
    """The sandbox reset to the module's scenario (`quiet`: without blocks or alerts for a timer to find)."""
    scenario = getattr(module, "E2E_SCENARIO", None) or tenant_scenario()
    sandbox = Sandbox(sandbox_url, {**scenario, "blockedSenders": [], "alerts": []} if quiet else scenario)
    sandbox.load()
    return sandbox


class AppHosts:
    """Hosts of the app on one queue, table and tenant (a `Sandbox` already loaded), as many as asked:
    `start()` gives an `EndToEnd` on a new one; `stop_all()` stops them."""

    def __init__(self, folder: Path, storage: str, sandbox: Sandbox, settings: Mapping[str, str],
                 queues: Mapping[str, Any]) -> None:
        (folder / "host.json").write_text(json.dumps(host_json(queues)))
        (folder / "empty.settings.json").write_text('{"IsEncrypted": false, "Values": {}}')
        self.folder, self.sandbox = folder, sandbox
        self.settings = {**base_settings(storage, sandbox.url, sandbox.tenant_id, "h" + uuid.uuid4().hex[:12]),
                         **settings}
        self.hosts: list = []

    def start(self) -> EndToEnd:
        self.hosts.append(start_host_process(self.settings, settings_file=self.folder / "empty.settings.json",
                                             cwd=self.folder))
        return EndToEnd(AppUnderTest(self.hosts[-1], self.settings), self.sandbox)

    def stop_all(self) -> None:
        for host in self.hosts:
            host.stop()


@pytest.fixture(scope="module")
def e2e_host(request, azurite, sandbox_server, tmp_path_factory) -> AppUnderTest:
    folder: Path = tmp_path_factory.mktemp("e2e-host")
    (folder / "host.json").write_text(json.dumps(host_json(getattr(request.module, "E2E_HOST_JSON", {}))))
    (folder / "empty.settings.json").write_text('{"IsEncrypted": false, "Values": {}}')
    # Timers may fire as soon as the host starts: they find nothing to do until a test sets its tenant up.
    sandbox = _tenant(request.module, sandbox_server.url, quiet=True)
    sandbox.close()
    names = "e" + uuid.uuid4().hex[:12]
    settings = {**base_settings(azurite.connection_string, sandbox_server.url, sandbox.tenant_id, names),
                **getattr(request.module, "E2E_SETTINGS", {})}
    # The app is imported from the repo (PYTHONPATH); the folder only holds the host's own files.
    host = start_host_process(settings, settings_file=folder / "empty.settings.json", cwd=folder)
    yield AppUnderTest(host, settings)
    host.stop()


@pytest.fixture
def e2e(request, e2e_host, sandbox_server) -> EndToEnd:
    sandbox = _tenant(request.module, sandbox_server.url)
    run = EndToEnd(e2e_host, sandbox)
    yield run
    # A test leaves no work behind for the next one (which gets a fresh tenant). What is left are
    # the expiries of its holds, hidden for APPROVAL_TIMEOUT_HOURS, and the watch checks of its resolved
    # jobs, hidden for WATCH_INTERVAL_SECONDS: dropped, their jobs are decided.
    wait_for(lambda: run.queue_depth() == run.expiries_pending() + run.watches_pending(), 15,
             "the queue to drain after the test")
    run.clear_queue()
    run.close()
    sandbox.close()
