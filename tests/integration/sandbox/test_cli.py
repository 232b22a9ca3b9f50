"""`python -m localdev.tenant --port P [--scenario FILE]` (a public contract) serves the scenario it is given."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from localdev.ports import free_port, wait_for_http
from remediation.gateways.exchange import ExchangeAdminClient
from remediation.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
SANDBOX_ROOTS = ("GRAPH_BASE_URL", "EXCHANGE_BASE_URL", "MANAGEMENT_API_BASE_URL", "LOGIN_BASE_URL")


@pytest.fixture
def start():
    processes: list[subprocess.Popen] = []

    def run(*args: str) -> subprocess.Popen:
        process = subprocess.Popen([sys.executable, "-m", "localdev.tenant", *args], cwd=ROOT, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        processes.append(process)
        return process

    yield run
    for process in processes:
        process.terminate()
        process.wait(10)


def test_serves_a_yaml_scenario_on_the_given_port(start):
    port = free_port()
    start("--port", str(port), "--scenario", "localdev/scenarios/test.yaml")
    url = f"http://127.0.0.1:{port}"
    wait_for_http(f"{url}/_sandbox/health", timeout=20)
    user = httpx.get(f"{url}/v1.0/users/lee@contoso.com", params={"$select": "onPremisesSyncEnabled"}).json()
    assert user["onPremisesSyncEnabled"] is True


def test_port_zero_prints_the_url_it_picked_and_reads_json_scenarios(start, tmp_path):
    scenario = tmp_path / "tiny.json"
    scenario.write_text(json.dumps({"tenant": {"id": "11111111-2222-4333-8444-555555555555"},
                                    "users": [{"userPrincipalName": "kim@tailspin.example"}]}))
    process = start("--port", "0", "--scenario", str(scenario))
    line = process.stdout.readline()
    assert line.startswith("Sandbox tenant listening on http://127.0.0.1:")
    url = line.rsplit(" ", 1)[1].strip()
    assert httpx.get(f"{url}/v1.0/users/kim@tailspin.example").json()["userPrincipalName"] == "kim@tailspin.example"


def test_the_default_scenario_is_the_demo(start):
    process = start("--port", "0")
    url = process.stdout.readline().rsplit(" ", 1)[1].strip()
    state = httpx.get(f"{url}/_sandbox/state").json()
    assert state["blockedSenders"] == [] and state["users"][0]["userPrincipalName"] == "adele@contoso.com"


def test_an_invalid_scenario_exits_with_a_message(start, tmp_path):
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("usres: []\n")
    process = start("--port", "0", "--scenario", str(scenario))
    assert process.wait(20) == 2
    assert "unknown scenario keys: usres" in process.stderr.read()


async def test_the_local_settings_sample_works_with_the_sandbox_as_it_starts_by_default(start):
    """The README's run by hand: `python -m localdev.tenant --port 7072` beside the app on the sample."""
    values = json.loads((ROOT / "local.settings.sample.json").read_text())["Values"]
    assert {values[name] for name in SANDBOX_ROOTS} == {"http://127.0.0.1:7072"}
    port = free_port()   # 7072 itself may be busy on this machine: the same sandbox, elsewhere
    start("--port", str(port))
    url = f"http://127.0.0.1:{port}"
    wait_for_http(f"{url}/_sandbox/health", timeout=20)
    settings = Settings.from_env({**values, **{name: url for name in SANDBOX_ROOTS}})
    exchange = ExchangeAdminClient(settings)
    try:
        await exchange.blocked_senders()
    finally:
        await exchange.aclose()
    metadata = httpx.get(f"{url}/{settings.tenant_id}/v2.0/.well-known/openid-configuration")
    assert metadata.status_code == 200 and settings.tenant_id in metadata.json()["issuer"]
    sender = httpx.get(f"{url}/v1.0/users/{settings.notify_sender}")
    assert sender.status_code == 200
