"""`python -m localdev.host` as a process: ready line, settings, the app's folder, signals, errors."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys

import httpx
import pytest

from tests.plugins.host import ROOT

CLI_APP = "tests.integration.host.apps.cli_app"
SCHEDULE = {"CLI_SCHEDULE": "0 0 * * * *"}


@pytest.fixture
def cli_env(storage_env):
    """The timer's schedule, and the storage its singleton lock lives in."""
    return {**SCHEDULE, "AzureWebJobsStorage": storage_env["AzureWebJobsStorage"]}


def test_port_0_serves_on_a_free_port_and_prints_the_functions_and_a_ready_line(app_host, cli_env):
    host = app_host(cli_env, app=CLI_APP)
    assert host.url.startswith("http://127.0.0.1:") and not host.url.endswith(":0")
    # The repo's host.json (the working directory's) has an empty routePrefix.
    host.wait_for_output(rf"setting: \[ALL\] {host.url}/settings/{{name}}")
    host.wait_for_output(r"scheduled: timerTrigger \(0 0 \* \* \* \*\)")
    assert host.wait_for_output(r"^Host ready at ").string.endswith("(2 functions: setting, scheduled)")
    assert httpx.get(f"{host}/settings/CLI_SCHEDULE").text == "0 0 * * * *"


def test_the_environment_wins_over_local_settings_and_both_reach_the_app(app_host, cli_env, tmp_path):
    settings = tmp_path / "local.settings.json"
    settings.write_text(json.dumps({"IsEncrypted": False, "Values": {
        "SHARED": "from-file", "FILE_ONLY": "from-file", **cli_env}}))
    host = app_host({"SHARED": "from-environment"}, app=CLI_APP, settings_file=settings)
    assert httpx.get(f"{host.url}/settings/SHARED").text == "from-environment"
    assert httpx.get(f"{host.url}/settings/FILE_ONLY").text == "from-file"


def test_the_app_host_json_and_settings_come_from_the_working_directory(app_host, cli_env, tmp_path):
    (tmp_path / "function_app.py").write_text((ROOT / "tests/integration/host/apps/cli_app.py").read_text())
    (tmp_path / "host.json").write_text(json.dumps({"version": "2.0", "extensions": {"http": {"routePrefix": "v1"}}}))
    (tmp_path / "local.settings.json").write_text(json.dumps({"Values": cli_env}))
    host = app_host({}, cwd=tmp_path, settings_file=tmp_path / "local.settings.json")
    assert httpx.get(f"{host.url}/v1/settings/CLI_SCHEDULE").text == "0 0 * * * *"
    assert httpx.get(f"{host.url}/api/settings/CLI_SCHEDULE").status_code == 404


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_host_cleanly(app_host, cli_env, signal_number):
    host = app_host(cli_env, app=CLI_APP)
    assert host.stop(signal_number) == 0
    assert "Stopping the host" in host.output
    assert not any("Traceback" in line for line in host.output)


def test_a_configuration_error_exits_with_the_reason_and_no_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "localdev.host", "--port", "0", "--app", CLI_APP],
                            cwd=tmp_path, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert ("error: function 'scheduled', binding 'timer', schedule refers to the setting '%CLI_SCHEDULE%'"
            in result.stderr)
    assert "Traceback" not in result.stderr


def test_a_port_in_use_is_a_clear_error(cli_env, tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "localdev.host", "--port", str(port), "--app", CLI_APP],
                                cwd=tmp_path, env={"PYTHONPATH": str(ROOT), **cli_env},
                                capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert f"error: cannot listen on 127.0.0.1:{port}" in result.stderr
