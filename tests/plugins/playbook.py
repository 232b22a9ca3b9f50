"""Fixtures for the playbook tests.

Unit layer (fakes of the ports, tests/unit/fakes.py):
    fake_clock      a settable clock (2026-11-28 08:00 UTC)
    playbook        a `Harness`: fake tenant with the standard compromise of adele@contoso.com,
                    fake store and queue, Settings in enforce mode, and the services on them

Integration layer (Azurite + the sandbox tenant, real gateways):
    live            a `LiveHarness`: the sandbox (test.yaml), Settings pointing at it and Azurite,
                    and workers built with `remediation.bootstrap.build`
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

import pytest

from remediation import bootstrap
from remediation.gateways.storage_auth import StorageAccount
from remediation.context import Context, Ports
from remediation.models import Trigger
from remediation.services import Services, wire
from remediation.settings import Settings
from tests.unit.fake_storage import FakeQueue, FakeStore
from tests.unit.fakes import Clock, FakeTenant, compromised
from tests.polling import eventually

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

    def worker(self, **changes) -> Services:
        """A worker process on the shared tenant, store and queue; keyword arguments change Settings."""
        ports = Ports(self.tenant.directory, self.tenant.exchange, self.store, self.queue)
        return wire(Context.build(replace(self.settings, **changes), ports, self.clock))

    @property
    def service(self) -> Services:
        return self.worker()

    async def work(self, *, delayed: bool = False, worker: Services | None = None, limit: int = 30) -> int:
        """Deliver queued messages until none is left (delayed ones too if `delayed`, moving the clock)."""
        handled = 0
        while handled < limit:
            ready = [(body, delay) for body, delay in self.queue.sent if delayed or delay == 0]
            if not ready:
                return handled
            body, delay = ready[0]
            self.queue.sent.remove((body, delay))
            self.clock.advance(seconds=delay)
            await (worker or self.service).worker.handle(body, 1, 5)
            handled += 1
        raise AssertionError(f"still busy after {limit} messages")


@pytest.fixture
def fake_clock() -> Clock:
    return Clock()


@pytest.fixture
def playbook(fake_clock) -> Harness:
    tenant = FakeTenant()
    tenant.clock = fake_clock
    compromised(tenant, fake_clock())
    return Harness(tenant, fake_clock)


class LiveHarness:
    """Workers on the real gateways (sandbox tenant, Azurite), sharing one clock that tests move.

    The clock starts at the real time, so the sandbox's own timestamps (blocks created
    `now-30m`) and ours line up; moving it forward stands in for waiting hours."""

    def __init__(self, sandbox, env: dict[str, str]) -> None:
        self.sandbox = sandbox
        self.env = env
        self.clock = Clock(datetime.now(timezone.utc).replace(microsecond=0))
        self.workers: list[Services] = []
        self.visibility_timeout = 30   # what host.json gives a failed message before it reappears
        self.account = StorageAccount(self.settings())
        self.queue = self.account.queue(self.env["REMEDIATION_QUEUE"])

    def settings(self, **env: str) -> Settings:
        return Settings.from_env({**self.env, **env})

    def worker(self, **env: str) -> Services:
        """A new worker process: its own clients, built by bootstrap like the app's."""
        worker = bootstrap.build(self.settings(**env), clock=self.clock)
        self.workers.append(worker)
        return worker

    async def request(self, user: str, trigger: Trigger | None = None, **kw) -> str:
        trigger = trigger or Trigger("admin", requested_by="admin@contoso.com")
        job, created = await self.worker().intake.request(user, trigger, **kw)
        assert created
        return job.id

    async def _handle_next(self, worker: Services | None) -> dict | None:
        """Receive one visible message, hand it to a worker as the Functions host does, delete it."""
        async for message in self.queue.receive_messages(max_messages=1, visibility_timeout=self.visibility_timeout):
            body = json.loads(message.content)
            await (worker or self.worker()).worker.handle(body, message.dequeue_count, 5)
            await self.queue.delete_message(message)
            return body
        return None

    async def deliver(self, worker: Services | None = None, *, timeout: float = 10.0) -> dict:
        """The next message, waiting up to `timeout` for a delayed one to become visible."""
        return await eventually(lambda: self._handle_next(worker), timeout, "a message")

    async def work(self, worker: Services | None = None) -> list[dict]:
        """Deliver every message that is visible now."""
        handled = []
        while (body := await self._handle_next(worker)) is not None:
            handled.append(body)
        return handled

    async def job(self, job_id: str):
        return await self.worker().admin.get(job_id)

    async def close(self) -> None:
        for worker in self.workers:
            await bootstrap.close(worker)
        await self.account.close()


@pytest.fixture
async def live(sandbox, settings_env):
    env = {**settings_env, **sandbox.env(), "FOLLOW_UP_DELAY_SECONDS": "1", "RETRY_MAX_WAIT_SECONDS": "2",
           "PUBLIC_BASE_URL": "https://responder.contoso.com"}
    harness = LiveHarness(sandbox, env)
    yield harness
    await harness.close()
