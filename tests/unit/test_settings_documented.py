"""Every setting is documented where an admin looks: the README, the sample settings, and infra."""

import json
import re
from pathlib import Path

import pytest

from remediation.settings import SETTING_DEFAULTS, SETTING_NAMES

ROOT = Path(__file__).resolve().parents[2]
# The storage connection is the Functions host's own setting: identity-based in Azure (infra sets
# AzureWebJobsStorage__* itself), a connection string locally.
HOST_OWNED = {name for name in SETTING_NAMES if name.startswith("AzureWebJobsStorage")}


def bicep_app_settings() -> set[str]:
    text = (ROOT / "infra" / "main.bicep").read_text()
    block = re.search(r"var remediationSettings = \{(.*?)\n\}", text, re.S).group(1)
    return set(re.findall(r"^\s*([A-Za-z0-9_]+):", block, re.M))


@pytest.mark.parametrize("name", SETTING_NAMES)
def test_setting_is_in_the_readme(name):
    assert f"`{name}`" in (ROOT / "README.md").read_text()


@pytest.mark.parametrize("name", SETTING_NAMES)
def test_setting_is_in_the_sample_settings(name):
    values = json.loads((ROOT / "local.settings.sample.json").read_text())["Values"]
    assert name in values or name in HOST_OWNED


@pytest.mark.parametrize("name", sorted(set(SETTING_NAMES) - HOST_OWNED))
def test_setting_reaches_the_app_in_azure(name):
    assert name in bicep_app_settings()


@pytest.mark.parametrize("name", sorted(set(SETTING_NAMES) - HOST_OWNED - {"TENANT_ID", "PUBLIC_BASE_URL",
                                                                        "O365_WEBHOOK_AUTH_ID", "API_AUDIENCE",
                                                                        "NOTIFY_SENDER", "NOTIFY_RECIPIENTS"}))
def test_infra_default_matches_the_code(name):
    parameters = (ROOT / "infra" / "main.parameters.json").read_text()
    default = SETTING_DEFAULTS[name]
    assert (f"${{{name}={default}}}" if default else f"${{{name}}}") in parameters
