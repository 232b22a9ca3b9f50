"""Fixtures for the tenant contract (tests/contract/): one behaviour test, two tenants.

    tenant   function   parametrized "fake" | "sandbox": a `Tenant` (below) holding the test scenario
                        (localdev/scenarios/test.yaml). "fake": the unit tests' fake ports
                        (tests/unit/fakes.py) built from the scenario; "sandbox": the real gateways
                        (GraphDirectory, ExchangeAdminClient) over HTTP to the sandbox tenant.

A `Tenant`:
        .name                   "fake" or "sandbox"
        .directory, .exchange   the Directory and ExchangeAdmin ports
        .scenario()             a copy of the scenario it holds: edit it and .load() it
        .load(scenario)         replace the tenant
        .password_changes(id)   how many password changes the tenant recorded for a user (by object id)
        .revocations(id)        how many session revocations
        .outbox()               the mails sent: [(sender, recipients, subject)]
"""

from __future__ import annotations

import copy

import pytest

from localdev.tenant import scenario as scenarios
from remediation.settings import Settings
from tests.unit.fakes import tenant_from_scenario


class FakeTenant:
    name = "fake"

    def __init__(self, scenario: dict) -> None:
        self.load(scenario)

    def load(self, scenario: dict) -> None:
        self._scenario = scenarios.resolve(scenario)   # "now-1d" to a time, as the sandbox does on a load
        self.tenant = tenant_from_scenario(self._scenario)
        self.directory, self.exchange = self.tenant.directory, self.tenant.exchange

    def scenario(self) -> dict:
        return copy.deepcopy(self._scenario)

    def password_changes(self, user_id: str) -> int:
        return len(self.tenant.passwords.get(user_id, []))

    def revocations(self, user_id: str) -> int:
        return self.tenant.revocations.get(user_id, 0)

    def outbox(self) -> list[tuple[str, list[str], str]]:
        return [(mail["from"], mail["to"], mail["subject"]) for mail in self.tenant.outbox]


class SandboxTenant:
    name = "sandbox"

    def __init__(self, sandbox, directory, exchange) -> None:
        self.sandbox, self.directory, self.exchange = sandbox, directory, exchange

    def load(self, scenario: dict) -> None:
        self.sandbox.load(scenario)

    def scenario(self) -> dict:
        return self.sandbox.scenario()

    def password_changes(self, user_id: str) -> int:
        return len([change for change in self.sandbox.user(user_id)["passwordChanges"] if change["passwordChanged"]])

    def revocations(self, user_id: str) -> int:
        return len(self.sandbox.user(user_id)["revocations"])

    def outbox(self) -> list[tuple[str, list[str], str]]:
        return [(mail["from"], mail["recipients"], mail["message"]["subject"]) for mail in self.sandbox.state()["outbox"]]


@pytest.fixture(params=["fake", "sandbox"])
async def tenant(request, _test_scenario):
    if request.param == "fake":
        yield FakeTenant(_test_scenario)
        return
    from remediation.gateways.exchange import ExchangeAdminClient
    from remediation.gateways.graph import GraphDirectory   # after the SDK's warnings filter (plugins/gateways.py)
    sandbox, retry = request.getfixturevalue("sandbox"), request.getfixturevalue("retry")
    settings = Settings.from_env(sandbox.env())
    directory, exchange = GraphDirectory(settings, retry=retry), ExchangeAdminClient(settings, retry=retry)
    yield SandboxTenant(sandbox, directory, exchange)
    await directory.aclose()
    await exchange.aclose()
