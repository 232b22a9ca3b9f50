"""The Bicep templates, parsed (pycep-parser: the Bicep compiler cannot be installed here): each
least-privilege setting and role scope, every webhook URL as an output, every setting the code reads."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from pycep import BicepParser

from remediation.settings import SETTING_NAMES

ROOT = Path(__file__).resolve().parents[3]
INFRA = ROOT / "infra"
EXCHANGE_ADMINISTRATOR = "29232cdf-9323-42fd-ade2-1d097af3e4de"   # role template id


@cache
def parsed(name: str) -> dict:
    return BicepParser().parse(file_path=INFRA / name)


@pytest.mark.parametrize("path", sorted(str(p.relative_to(INFRA)) for p in INFRA.rglob("*.bicep")))
def test_every_template_parses(path):
    assert parsed(path)["globals"] is not None


def test_storage_data_roles_sit_on_their_services_not_the_account():
    resources = parsed("app/rbac.bicep")["resources"]
    scopes = {name: resources[name]["config"]["scope"] for name in ("blobAccess", "queueAccess", "tableAccess")}
    assert scopes == {"blobAccess": "blobService", "queueAccess": "queueService", "tableAccess": "tableService"}
    for service in ("blobService", "queueService", "tableService"):
        assert resources[service]["config"]["parent"] == "storage" and resources[service]["existing"] is True
    account_scoped = [name for name, resource in resources.items()
                      if resource["type"] == "Microsoft.Authorization/roleAssignments"
                      and resource["config"].get("scope") == "storage"]
    assert account_scoped == []


def test_the_app_reads_only_its_one_secret():
    secret_read = parsed("app/rbac.bicep")["resources"]["secretRead"]["config"]
    assert secret_read["scope"] == "webhookSecret"


def test_log_analytics_has_local_auth_off():
    workspace = parsed("app/log-analytics.bicep")["resources"]["workspace"]["config"]["properties"]
    assert workspace["features"]["disableLocalAuth"] is True


def test_key_vault_has_purge_protection_and_rbac():
    vault = parsed("app/vault.bicep")["resources"]["vault"]["config"]["properties"]
    assert vault["enablePurgeProtection"] is True and vault["enableRbacAuthorization"] is True
    assert vault["enableSoftDelete"] is True


def test_application_insights_and_storage_take_no_keys():
    modules = parsed("main.bicep")["modules"]
    assert modules["monitoring"]["config"]["params"]["disableLocalAuth"] is True
    storage = modules["storage"]["config"]["params"]
    assert storage["allowSharedKeyAccess"] is False and storage["allowBlobPublicAccess"] is False


def test_no_template_grants_exchange_administrator():
    assert not [p for p in INFRA.rglob("*.bicep") if EXCHANGE_ADMINISTRATOR in p.read_text()]


def _routes(prefix: str) -> set[str]:
    found = set()
    for module in (ROOT / "handlers").glob("*.py"):
        found |= set(re.findall(rf'route="({prefix}[^"]*)"', module.read_text()))
    return found


def test_every_alert_route_is_an_output():
    outputs = parsed("main.bicep")["outputs"]
    urls = {output["value"] for name, output in outputs.items() if name.endswith("_WEBHOOK_URL")}
    assert {"api/" + url.rsplit("/api/", 1)[1] for url in urls} == _routes("api/alerts/")
    assert all(url.startswith("https://${api.outputs.defaultHostname}/api/") for url in urls)


def test_every_setting_the_code_reads_is_set_in_azure():
    app_settings = set(parsed("main.bicep")["variables"]["remediationSettings"]["value"])
    host_settings = set(parsed("app/api.bicep")["variables"]["hostSettings"]["value"])
    # The connection string is local only: in Azure the host connects with its identity (__ settings).
    read_by_code = set(SETTING_NAMES) - {"AzureWebJobsStorage"} | {"AZURE_CLIENT_ID"}
    assert read_by_code - (app_settings | host_settings) == set()


def test_private_networking_is_an_option_that_closes_storage_to_public_traffic():
    main = parsed("main.bicep")
    assert main["parameters"]["privateNetworking"]["default"] is False
    assert main["modules"]["network"]["config"]["condition"] == "privateNetworking"
    access = main["modules"]["storage"]["config"]["params"]["publicNetworkAccess"]["operator"]
    assert access["operands"] == {"condition": "privateNetworking", "true_value": "Disabled", "false_value": "Enabled"}
    endpoints = parsed("app/network.bicep")["resources"]["endpoints"]
    assert endpoints["type"] == "Microsoft.Network/privateEndpoints"
