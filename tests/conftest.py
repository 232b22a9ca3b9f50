"""Fixtures shared by every test layer: Azurite, payload fixtures, settings."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from localdev.azurite import Azurite
from remediation.settings import Settings

EVENTS = Path(__file__).parent / "events"

# One fixture module per area, so parallel work never edits the same file.
pytest_plugins = [f"tests.plugins.{name}"
                  for name in ("sandbox", "storage", "gateways", "playbook", "host", "app", "e2e", "contract")]


def load_event(name: str):
    """A payload fixture from tests/events/ (JSON parsed; other files as text)."""
    path = EVENTS / name
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else text


@pytest.fixture(scope="session")
def azurite():
    with Azurite() as emulator:
        yield emulator


@pytest.fixture
def unique_name():
    """A fresh queue/table name, so tests sharing one Azurite never see each other's data."""
    return "t" + uuid.uuid4().hex[:12]


@pytest.fixture
def storage_env(azurite, unique_name) -> dict[str, str]:
    return {"AzureWebJobsStorage": azurite.connection_string, "REMEDIATION_QUEUE": f"q{unique_name}",
            "JOBS_TABLE": unique_name}


@pytest.fixture
def settings_env(storage_env) -> dict[str, str]:
    """Settings for a test against Azurite; tests add the sandbox's URLs and their policies."""
    return {**storage_env, "TENANT_ID": "contoso.onmicrosoft.com", "REMEDIATION_MODE": "enforce",
            "NOTIFY_SENDER": "secops@contoso.com", "NOTIFY_RECIPIENTS": "soc@contoso.com",
            "API_AUDIENCE": "api://restricted-sender-responder"}


@pytest.fixture
def settings(settings_env) -> Settings:
    return Settings.from_env(settings_env)
