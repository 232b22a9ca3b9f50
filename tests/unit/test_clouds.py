"""AZURE_CLOUD switches every Microsoft host and the authority together; a host set explicitly wins."""

import pytest

from remediation.clouds import CLOUDS, authority
from remediation.errors import ConfigurationError
from remediation.gateways.credentials import scope_for
from remediation.settings import Settings

# From Microsoft's national-cloud documentation (Graph deployments, Management Activity API
# reference, Exchange Online environments), written out so that a typo in the table shows.
DOCUMENTED = {
    "AzurePublicCloud": ("https://graph.microsoft.com", "https://outlook.office365.com", "https://manage.office.com",
                         "https://login.microsoftonline.com"),
    "AzureUSGovernment": ("https://graph.microsoft.us", "https://outlook.office365.us", "https://manage.office365.us",
                          "https://login.microsoftonline.us"),
    "AzureUSGovernmentDoD": ("https://dod-graph.microsoft.us", "https://outlook-dod.office365.us",
                             "https://manage.protection.apps.mil", "https://login.microsoftonline.us"),
    "AzureChinaCloud": ("https://microsoftgraph.chinacloudapi.cn", "https://partner.outlook.cn", "",
                        "https://login.chinacloudapi.cn"),
}


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_the_cloud_sets_every_host(name):
    settings = Settings.from_env({"AZURE_CLOUD": name})
    assert (settings.graph_base_url, settings.exchange_base_url, settings.management_api_base_url,
            settings.login_base_url) == DOCUMENTED[name]
    assert settings.azure_cloud == name


def test_the_public_cloud_is_the_default_and_matches_the_field_defaults():
    assert Settings.from_env({}) == Settings()
    assert set(CLOUDS) == set(DOCUMENTED)


def test_a_host_set_explicitly_wins_over_the_cloud():
    settings = Settings.from_env({"AZURE_CLOUD": "AzureUSGovernment", "GRAPH_BASE_URL": "http://127.0.0.1:7072"})
    assert settings.graph_base_url == "http://127.0.0.1:7072"
    assert settings.exchange_base_url == "https://outlook.office365.us"


def test_token_scopes_follow_the_cloud_hosts():
    settings = Settings.from_env({"AZURE_CLOUD": "AzureUSGovernmentDoD"})
    assert scope_for(settings.graph_base_url) == "https://dod-graph.microsoft.us/.default"
    assert scope_for(settings.exchange_base_url) == "https://outlook-dod.office365.us/.default"


def test_the_authority_is_the_clouds_unless_login_base_url_is_set():
    assert authority({"AZURE_CLOUD": "AzureChinaCloud"}) == "https://login.chinacloudapi.cn"
    assert authority({"AZURE_CLOUD": "AzureChinaCloud", "LOGIN_BASE_URL": "http://127.0.0.1:1"}) == "http://127.0.0.1:1"


def test_an_unknown_cloud_is_refused_with_the_names_it_takes():
    with pytest.raises(ConfigurationError, match="must be one of AzurePublicCloud, .*not 'AzureGermanCloud'"):
        Settings.from_env({"AZURE_CLOUD": "AzureGermanCloud"})
