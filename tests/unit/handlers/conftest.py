"""Handlers run against a FakeServices installed through runtime.use(), with real tokens."""

from __future__ import annotations

import pytest

from handlers import runtime
from remediation.auth import TokenValidator
from remediation.services import Services
from tests.unit.handlers.fake_service import FakeServices


@pytest.fixture
async def fake(app_settings, entra):
    fake = FakeServices()
    services = Services(context=None, intake=fake, admin=fake, worker=fake, schedules=fake, health=fake)
    async with entra.client() as client:
        runtime.use(runtime.Runtime(app_settings, services, TokenValidator(app_settings, http=client)))
        yield fake
    runtime.use(None)
