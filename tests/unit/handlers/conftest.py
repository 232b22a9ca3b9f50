"""Handlers run against a FakeRemediations installed through runtime.use(), with real tokens."""

from __future__ import annotations

import pytest

from handlers import runtime
from remediation.auth import TokenValidator
from tests.unit.handlers.fake_service import FakeRemediations


@pytest.fixture
async def fake(app_settings, entra):
    fake = FakeRemediations()
    async with entra.client() as client:
        runtime.use(runtime.Runtime(app_settings, fake, TokenValidator(app_settings, http=client)))
        yield fake
    runtime.use(None)
