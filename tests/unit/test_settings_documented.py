"""Every setting is documented where an admin looks: the README, the sample settings, and infra."""

import json
import re
from pathlib import Path

import pytest

from remediation.clouds import CLOUDS
from remediation.settings import SETTING_DEFAULTS, SETTING_NAMES

ROOT = Path(__file__).resolve().parents[2]
# The storage connection is the Functions host's own setting: identity-based in Azure (infra sets
# AzureWebJobsStorage__* itself), a connection string locally.
# The hosts default to AZURE_CLOUD's (infra/main.bicep holds the same table: see below).
CLOUD_HOSTS = CLOUDS["AzurePublicCloud"].hosts()
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
                                                                        "NOTIFY_SENDER", "NOTIFY_RECIPIENTS"}
                                          - set(CLOUD_HOSTS)))
def test_infra_default_matches_the_code(name):
    parameters = (ROOT / "infra" / "main.parameters.json").read_text()
    default = SETTING_DEFAULTS[name]
    assert (f"${{{name}={default}}}" if default else f"${{{name}}}") in parameters


@pytest.mark.parametrize("cloud", sorted(CLOUDS))
def test_infra_knows_the_hosts_of_each_cloud(cloud):
    text = (ROOT / "infra" / "main.bicep").read_text()
    row = re.search(rf"^\s*{cloud}: \{{(.*)\}}$", text, re.M).group(1)
    hosts = dict(re.findall(r"(\w+): '([^']*)'", row))
    expected = CLOUDS[cloud]
    assert hosts == {"graph": expected.graph, "exchange": expected.exchange,
                     "managementApi": expected.management_api, "login": expected.login}


@pytest.mark.parametrize("name", sorted(CLOUD_HOSTS))
def test_a_host_left_empty_in_infra_follows_the_cloud(name):
    assert f"${{{name}}}" in (ROOT / "infra" / "main.parameters.json").read_text()
