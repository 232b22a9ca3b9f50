"""Fixtures for the playbook tests.

Unit layer (fakes of the ports, tests/unit/fakes.py):
    fake_clock      a settable clock (2026-11-28 08:00 UTC)
    playbook        a `Harness`: fake tenant with the standard compromise of adele@contoso.com,
                    fake store and queue, Settings in enforce mode, and the `Remediations` on them

Integration layer (Azurite + the sandbox tenant, real gateways):
    live            a `LiveHarness`: the sandbox (test.yaml), Settings pointing at it and Azurite,
                    and workers built with `remediation.bootstrap.build`
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pytest

from remediation.service import Remediations
from remediation.settings import Settings
from tests.unit.fakes import Clock, FakeQueue, FakeStore, FakeTenant, compromised

ADELE = "adele@contoso.com"
UNIT_SETTINGS = Settings(tenant_id="contoso.onmicrosoft.com", mode="enforce", notify_sender="secops@contoso.com",
                         notify_recipients=("soc@contoso.com",), public_base_url="https://responder.contoso.com")


@dataclass
class Harness:
    tenant: FakeTenant
    clock: Clock
    settings: Settings = UNIT_SETTINGS
    store: FakeStore = field(default_factory=FakeStore)
    queue: FakeQueue = field(default_factory=FakeQueue)

    def worker(self, **changes) -> Remediations:
        """A worker process on the shared tenant, store and queue; keyword arguments change Settings."""
        settings = replace(self.settings, **changes)
        return Remediations(settings, directory=self.tenant.directory, exchange=self.tenant.exchange,
                            store=self.store, queue=self.queue, clock=self.clock)

    @property
    def service(self) -> Remediations:
        return self.worker()

    async def work(self, *, delayed: bool = False, worker: Remediations | None = None, limit: int = 30) -> int:
        """Deliver queued messages until none is left (delayed ones too if `delayed`, moving the clock)."""
        handled = 0
        while handled < limit:
            ready = [(body, delay) for body, delay in self.queue.sent if delayed or delay == 0]
            if not ready:
                return handled
            body, delay = ready[0]
            self.queue.sent.remove((body, delay))
            self.clock.advance(seconds=delay)
            await (worker or self.service).handle(body, 1, 5)
            handled += 1
        raise AssertionError(f"still busy after {limit} messages")


@pytest.fixture
def fake_clock() -> Clock:
    return Clock()


@pytest.fixture
def playbook(fake_clock) -> Harness:
    tenant = FakeTenant()
    compromised(tenant, fake_clock())
    return Harness(tenant, fake_clock)
