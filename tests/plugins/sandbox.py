"""Fixtures for tests against the sandbox tenant (localdev/tenant), over HTTP like any client.

    sandbox_server   session   the sandbox on a background thread (own event loop, free port)
    sandbox          function  the tenant reset to localdev/scenarios/test.yaml; a `Sandbox` (below)
    sandbox_http     function  an httpx.Client on the sandbox's root URL
    sandbox_graph    function  an httpx.Client on its Graph root (.url/v1.0)

A `Sandbox`:

        .url                    root URL (http://127.0.0.1:PORT): Graph at .url/v1.0, Exchange at
                                .url/adminapi/beta/{tenant}, Entra at .url/{tenant}/v2.0
        .tenant_id              the tenant's GUID
        .env()                  GRAPH_BASE_URL, EXCHANGE_BASE_URL, MANAGEMENT_API_BASE_URL, LOGIN_BASE_URL
                                and TENANT_ID pointing at the sandbox (merge into settings_env)
        .load(scenario)         replace the tenant: a dict, a file path, or a name in localdev/scenarios/
        .scenario()             the tenant as a scenario dict: edit it and .load() it back
        .state()                the whole state (GET /_sandbox/state): scenario + passwordChanges,
                                revocations, outbox, unblocks
        .user(upn_or_id)        one user's state, with "passwordChanges" and "revocations"
        .requests(since=0)      the request log [{"index", "method", "path", "query", "status", "body", "cmdlet"}]
                                (+ "dropped", "latencyMs" when a fault fired)
        .fault(**spec)          arm a fault (localdev/tenant/faults.py: kind, method, path, cmdlet,
                                retryAfter, latencyMs, count, rate); returns it with its id
        .clear_faults()
        .token(**claims)        a signed access token; signWith="untrusted" signs with an unpublished key
        .control(method, path, json=None)   any other /_sandbox/ call (e.g. "alerts/restricted-sender")

Every method raises on a non-2xx control answer, so a typo in a test fails loudly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from localdev.tenant import scenario as scenarios
from localdev.tenant.server import BackgroundSandbox

TEST_SCENARIO = scenarios.SCENARIOS / "test.yaml"


class Sandbox:
    def __init__(self, url: str, default_scenario: dict) -> None:
        self.url = url
        self._default = default_scenario
        self._client = httpx.Client(base_url=f"{url}/_sandbox/", timeout=10)
        self.tenant_id = ""

    def control(self, method: str, path: str, json: Any = None) -> httpx.Response:
        response = self._client.request(method, path.lstrip("/"), json=json)
        if response.status_code >= 400:
            raise AssertionError(f"sandbox control {method} {path}: {response.status_code} {response.text}")
        return response

    def load(self, scenario: dict | str | Path | None = None) -> dict:
        source = self._default if scenario is None else scenario
        parsed = source if isinstance(source, dict) else scenarios.read(source)
        state = self.control("POST", "scenario", parsed).json()
        self.tenant_id = state["tenant"]["id"]
        return state

    def env(self) -> dict[str, str]:
        return {"GRAPH_BASE_URL": self.url, "EXCHANGE_BASE_URL": self.url, "MANAGEMENT_API_BASE_URL": self.url,
                "LOGIN_BASE_URL": self.url, "TENANT_ID": self.tenant_id}

    def scenario(self) -> dict:
        return self.control("GET", "scenario").json()

    def state(self) -> dict:
        return self.control("GET", "state").json()

    def user(self, user: str) -> dict:
        return self.control("GET", f"users/{user}").json()

    def requests(self, since: int = 0) -> list[dict]:
        return self.control("GET", f"requests?since={since}").json()

    def fault(self, **spec: Any) -> dict:
        return self.control("POST", "faults", spec).json()[0]

    def clear_faults(self) -> None:
        self.control("DELETE", "faults")

    def token(self, **claims: Any) -> str:
        return self.control("POST", "tokens", claims).json()["access_token"]

    def close(self) -> None:
        self._client.close()


@pytest.fixture(scope="session")
def sandbox_server():
    with BackgroundSandbox() as server:
        yield server


@pytest.fixture(scope="session")
def _test_scenario() -> dict:
    return scenarios.read(TEST_SCENARIO)


@pytest.fixture
def sandbox(sandbox_server, _test_scenario) -> Sandbox:
    client = Sandbox(sandbox_server.url, _test_scenario)
    client.load()
    yield client
    client.close()


@pytest.fixture
def sandbox_http(sandbox):
    with httpx.Client(base_url=sandbox.url, timeout=10) as client:
        yield client


@pytest.fixture
def sandbox_graph(sandbox):
    with httpx.Client(base_url=f"{sandbox.url}/v1.0", timeout=10) as client:
        yield client


def keys(value: Any) -> Any:
    """The key structure of a JSON value (nested dicts; a list by its first item), so a response can be
    compared with a documented sample whose values differ."""
    if isinstance(value, dict):
        return {key: keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [keys(value[0])] if value else []
    return None
