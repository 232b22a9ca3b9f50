"""What the end-to-end benchmarks share: Azurite, the sandbox tenant (a thread of this process) and
function_app.py on the local host (`python -m localdev.host`, a subprocess), driven over HTTP.

    with stack(scenario, settings={...}, queues={...}) as app:
        app.url, app.settings, app.control("POST", "faults", {...}), app.bearer("Remediation.Admin"),
        app.jobs(), app.state(), app.requests()
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Mapping

import httpx

from localdev.azurite import Azurite
from localdev.run import AUDIENCE, app_environment
from localdev.tenant.server import BackgroundSandbox

ROOT = Path(__file__).resolve().parents[1]
TERMINAL = ("resolved", "escalated", "failed", "cancelled", "planned")
QUIET = "0 0 0 1 1 *"   # a timer that is not measured fires once a year
# A queue message that failed comes back after 2 s, and an idle queue is polled every 200 ms.
FAST_QUEUES = {"visibilityTimeout": "00:00:02", "maxPollingInterval": "00:00:00.200"}


class Stack:
    def __init__(self, url: str, sandbox_url: str, settings: dict[str, str], log: Path) -> None:
        self.url, self.sandbox_url, self.settings, self.log = url, sandbox_url, settings, log
        self.http = httpx.Client(base_url=url, timeout=30)
        self._control = httpx.Client(base_url=f"{sandbox_url}/_sandbox/", timeout=30)

    def control(self, method: str, path: str, body: Any = None) -> Any:
        response = self._control.request(method, path, json=body)
        response.raise_for_status()
        return response.json()

    def bearer(self, *roles: str) -> dict[str, str]:
        token = self.control("POST", "tokens", {"aud": AUDIENCE, "roles": list(roles), "upn": "admin@contoso.com"})
        return {"Authorization": f"Bearer {token['access_token']}"}

    def jobs(self) -> list[dict]:
        headers, items = self.bearer("Remediation.Reader"), []
        page = self.http.get("/api/remediations", params={"limit": "200"}, headers=headers).json()
        items += page["items"]
        while page["nextLink"]:
            page = httpx.get(page["nextLink"], headers=headers, timeout=30).json()
            items += page["items"]
        return items

    def state(self) -> dict:
        return self.control("GET", "state")

    def requests(self) -> list[dict]:
        return self.control("GET", "requests?since=0")

    def wait_until(self, probe, timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        while not (result := probe()):
            if time.monotonic() > deadline:
                raise SystemExit(f"gave up after {timeout:.0f} s waiting for {what}")
            time.sleep(0.2)
        return result


def _host_json(queues: Mapping[str, str]) -> dict:
    config = json.loads((ROOT / "host.json").read_text(encoding="utf-8"))
    config["extensions"]["queues"] = {**config["extensions"]["queues"], **FAST_QUEUES, **queues}
    return config


def _ready_url(log: Path, process: subprocess.Popen, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if match := re.search(r"^Host ready at (\S+)", log.read_text(errors="replace"), re.MULTILINE):
            return match[1]
        time.sleep(0.1)
    raise SystemExit(f"the local host did not start:\n{log.read_text(errors='replace')[-3000:]}")


@contextmanager
def stack(scenario: dict, settings: Mapping[str, str] | None = None,
          queues: Mapping[str, str] | None = None) -> Iterator[Stack]:
    with Azurite() as azurite, BackgroundSandbox() as sandbox, tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "host.json").write_text(json.dumps(_host_json(queues or {})))
        (work / "empty.settings.json").write_text('{"IsEncrypted": false, "Values": {}}')
        # Loaded as the tests load it: the control API resolves the scenario's relative times (now-30m).
        loaded = httpx.post(f"{sandbox.url}/_sandbox/scenario", json=scenario, timeout=60)
        loaded.raise_for_status()
        tenant = loaded.json()["tenant"]["id"]
        names = "b" + uuid.uuid4().hex[:12]
        env = {**app_environment(azurite.connection_string, sandbox.url, tenant, auth_id=uuid.uuid4().hex),
               "REMEDIATION_QUEUE": f"q{names}", "JOBS_TABLE": names, "SWEEP_SCHEDULE": QUIET,
               "ALERTS_POLL_SCHEDULE": QUIET, "POISON_SCHEDULE": QUIET, "UNBLOCK_BUDGET_COUNT": "100000",
               "BREAKER_MAX_JOBS_PER_HOUR": "100000", "FOLLOW_UP_DELAY_SECONDS": "1", **(settings or {})}
        log = work / "host.log"
        with log.open("w") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "localdev.host", "--port", "0", "--settings", str(work / "empty.settings.json")],
                cwd=work, env={**os.environ, **env, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"},
                stdout=output, stderr=subprocess.STDOUT)
        try:
            yield Stack(_ready_url(log, process), sandbox.url, env, log)
        finally:
            process.terminate()
            process.wait(30)
