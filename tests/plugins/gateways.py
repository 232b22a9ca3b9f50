"""Fixtures for the gateways tests.

- `service`: a scripted Microsoft service behind `httpx.MockTransport` (`service.transport`).
  Queue answers with `service.reply(response_or_exception, ...)` (the last one repeats), or
  set `service.handler = fn(request)`; every request lands in `service.requests`.
- `sleeps`: an async sleep that records the waits instead of sleeping; `retry` is a
  RetryPolicy using it (30 s budget, seeded jitter).
- `credential`: a fake azure-identity credential (async `get_token`), recording its scopes.
- `connect(GatewayClass, settings)`: a gateway on `service` with `credential` and `retry`,
  closed after the test.
- `cloud_settings`: Settings for the public cloud (tokens needed); `loopback_settings`: for a
  local root (no token).
- Against the sandbox tenant (the `sandbox` fixture of tests/plugins/sandbox.py), through the
  real HTTP stacks, with `retry` (waits recorded, not slept): `sandbox_settings`,
  `sandbox_directory` (GraphDirectory), `sandbox_exchange` (ExchangeAdminClient),
  `sandbox_management` (ManagementActivityClient); `scenario_with(**sections)` is the test
  scenario with some top-level sections replaced (for `sandbox.load`).
"""

from __future__ import annotations

import random
import time
import warnings
from typing import Callable

import httpx
import pytest
from azure.core.credentials import AccessToken

from remediation.gateways.exchange import ExchangeAdminClient
from remediation.gateways.http import RetryPolicy
from remediation.gateways.management_api import ManagementActivityClient
from remediation.settings import Settings

TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"


class ScriptedService:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.answers: list[httpx.Response | Exception] = []
        self.handler: Callable[[httpx.Request], httpx.Response] | None = None
        self.transport = httpx.MockTransport(self._handle)

    def reply(self, *answers: httpx.Response | Exception) -> "ScriptedService":
        self.answers.extend(answers)
        return self

    def _handle(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        if self.handler is not None:
            return self.handler(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


class Sleeps(list):
    """The waits a RetryPolicy asked for, in order."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


class FakeCredential:
    """Stands in for an azure-identity async credential."""

    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []
        self.closed = False

    async def get_token(self, *scopes: str, **kwargs) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(f"token-for-{scopes[0]}", int(time.time()) + 3600)

    async def close(self) -> None:
        self.closed = True


# msgraph-sdk's generated request builders (and kiota under them) warn on import about their own
# deprecated classes; nothing we call is deprecated. The filter is set here, at plugin import,
# because other plugins import the Graph gateway (through bootstrap) while pytest starts.
SDK_IMPORT_WARNINGS = ("msgraph", "kiota_abstractions")
for _module in SDK_IMPORT_WARNINGS:
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=_module)


def pytest_configure(config):
    for module in SDK_IMPORT_WARNINGS:
        config.addinivalue_line("filterwarnings", f"ignore::DeprecationWarning:{module}.*")


@pytest.fixture
def service() -> ScriptedService:
    return ScriptedService()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def retry(sleeps) -> RetryPolicy:
    return RetryPolicy(max_wait=30.0, sleep=sleeps, rng=random.Random(7))


@pytest.fixture
def credential() -> FakeCredential:
    return FakeCredential()


@pytest.fixture
async def connect(service, credential, retry):
    opened = []

    def build(gateway_class, settings: Settings):
        gateway = gateway_class(settings, transport=service.transport, credential=credential, retry=retry)
        opened.append(gateway)
        return gateway

    yield build
    for gateway in opened:
        await gateway.aclose()


@pytest.fixture
def cloud_settings() -> Settings:
    return Settings(tenant_id=TENANT)


@pytest.fixture
def loopback_settings() -> Settings:
    root = "http://127.0.0.1:8799"
    return Settings(tenant_id=TENANT, graph_base_url=root, exchange_base_url=root, management_api_base_url=root)


def scenario_with(**sections) -> dict:
    from tests.plugins.sandbox import TEST_SCENARIO, scenarios
    return {**scenarios.read(TEST_SCENARIO), **sections}


@pytest.fixture
def sandbox_settings(sandbox) -> Settings:
    return Settings.from_env(sandbox.env())


@pytest.fixture
async def sandbox_directory(sandbox_settings, retry):
    from remediation.gateways.graph import GraphDirectory   # after the warnings filter above
    gateway = GraphDirectory(sandbox_settings, retry=retry)
    yield gateway
    await gateway.aclose()


@pytest.fixture
async def sandbox_exchange(sandbox_settings, retry):
    client = ExchangeAdminClient(sandbox_settings, retry=retry)
    yield client
    await client.aclose()


@pytest.fixture
async def sandbox_management(sandbox_settings, retry):
    client = ManagementActivityClient(sandbox_settings, retry=retry)
    yield client
    await client.aclose()
