"""Fixtures for the local Functions host.

- `app_host`: starts `python -m localdev.host --port 0` as a subprocess (the real app by
  default) and waits for its ready line. Call it with the app's environment:

      host = app_host({**settings_env, "GRAPH_BASE_URL": sandbox.url})
      httpx.get(f"{host.url}/api/health")      # str(host) is the URL too
      host.wait_for_output(r"Executed 'Functions.worker' \\(Succeeded")

  The subprocess gets this process's environment with `env` on top, and an empty settings
  file, so a developer's local.settings.json never leaks into a test. Every host started
  is stopped (SIGTERM) at teardown.
- `local_host`: runs a Host in the test's event loop (`await local_host(app, settings, ...)`).

Each host gets a host ID of its own (so its timers' singleton locks are its own) unless the
settings name one: a test of two hosts sharing the locks gives both the same ID.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Mapping

import pytest

from localdev.host import Host, HostConfig
from localdev.host.singleton import HOST_ID_SETTING

ROOT = Path(__file__).resolve().parents[2]
_READY = re.compile(r"^Host ready at (\S+)")


def own_host_id(settings: Mapping[str, str]) -> dict[str, str]:
    """The settings, with a fresh host ID unless they set one."""
    return {HOST_ID_SETTING: f"test-{uuid.uuid4().hex[:12]}", **settings}


class HostProcess:
    """A running `python -m localdev.host`, with everything it printed so far in `output`."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.output: list[str] = []
        self.url = ""
        self._finished = False
        self._changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def __str__(self) -> str:
        return self.url

    def _read(self) -> None:
        assert self.process.stdout
        for line in self.process.stdout:
            with self._changed:
                self.output.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._finished = True
            self._changed.notify_all()

    def wait_for_output(self, pattern: str, timeout: float = 10.0) -> re.Match[str]:
        """The first printed line matching `pattern`, waiting for it up to `timeout` seconds."""
        expression = re.compile(pattern)
        deadline = time.monotonic() + timeout
        seen = 0
        with self._changed:
            while True:
                for line in self.output[seen:]:
                    if match := expression.search(line):
                        return match
                seen = len(self.output)
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self._finished and seen == len(self.output)):
                    raise AssertionError(f"no line matching {pattern!r}; the host printed:\n" + "\n".join(self.output))
                self._changed.wait(min(remaining, 0.2))

    def stop(self, signal_number: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal_number)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start_host_process(env: Mapping[str, str], *, settings_file: Path, app: str | None = None,
                       cwd: Path = ROOT, timeout: float = 30.0) -> HostProcess:
    command = [sys.executable, "-m", "localdev.host", "--port", "0", "--settings", str(settings_file)]
    if app:
        command += ["--app", app]
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", **own_host_id(env)}
    process = subprocess.Popen(command, cwd=cwd, env=environment, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    host = HostProcess(process)
    try:
        host.url = host.wait_for_output(_READY.pattern, timeout).group(1)
    except AssertionError:
        host.stop()
        raise
    return host


@pytest.fixture
def app_host(tmp_path):
    started: list[HostProcess] = []
    empty_settings = tmp_path / "empty.settings.json"
    empty_settings.write_text('{"IsEncrypted": false, "Values": {}}')

    def start(env: Mapping[str, str], *, app: str | None = None, cwd: Path = ROOT,
              settings_file: Path | None = None, timeout: float = 30.0) -> HostProcess:
        host = start_host_process(env, settings_file=settings_file or empty_settings, app=app, cwd=cwd,
                                  timeout=timeout)
        started.append(host)
        return host

    yield start
    for host in started:
        host.stop()


@pytest.fixture
async def local_host():
    started: list[Host] = []

    async def start(app: Any, settings: Mapping[str, str], host_json: Mapping[str, Any] | None = None,
                    **options: Any) -> Host:
        host = Host(app, settings=own_host_id(settings), config=HostConfig.from_dict(host_json or {}), **options)
        await host.start()
        started.append(host)
        return host

    yield start
    for host in started:
        await host.stop()
