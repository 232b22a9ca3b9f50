"""The national clouds: one setting, AZURE_CLOUD, sets every Microsoft host and the token authority.

Hosts from Microsoft's documentation: "Microsoft Graph national cloud deployments" (Graph and
Entra roots), the Office 365 Management Activity API reference (its root per plan: GCC High
`manage.office365.us`, DoD `manage.protection.apps.mil`; it lists none for 21Vianet), and the
Exchange Online endpoints of `Connect-ExchangeOnline -ExchangeEnvironmentName` (O365Default,
O365USGovGCCHigh, O365USGovDoD, O365China), whose REST admin API the app calls.

Each host setting (GRAPH_BASE_URL, ...) set explicitly still wins over the cloud's host. Token
scopes follow the hosts (`{host}/.default`), so they switch with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from remediation.errors import ConfigurationError

DEFAULT = "AzurePublicCloud"


@dataclass(frozen=True)
class Cloud:
    graph: str
    exchange: str
    management_api: str     # "" where Microsoft documents no Management Activity API
    login: str
    exchange_environment: str   # Connect-ExchangeOnline -ExchangeEnvironmentName, for the Exchange script

    def hosts(self) -> dict[str, str]:
        """Setting name -> this cloud's value."""
        return {"GRAPH_BASE_URL": self.graph, "EXCHANGE_BASE_URL": self.exchange,
                "MANAGEMENT_API_BASE_URL": self.management_api, "LOGIN_BASE_URL": self.login}


CLOUDS: dict[str, Cloud] = {
    "AzurePublicCloud": Cloud("https://graph.microsoft.com", "https://outlook.office365.com",
                              "https://manage.office.com", "https://login.microsoftonline.com", "O365Default"),
    # Microsoft 365 GCC High (GCC proper uses the public cloud's hosts, but for the Management API).
    "AzureUSGovernment": Cloud("https://graph.microsoft.us", "https://outlook.office365.us",
                               "https://manage.office365.us", "https://login.microsoftonline.us", "O365USGovGCCHigh"),
    "AzureUSGovernmentDoD": Cloud("https://dod-graph.microsoft.us", "https://outlook-dod.office365.us",
                                  "https://manage.protection.apps.mil", "https://login.microsoftonline.us",
                                  "O365USGovDoD"),
    "AzureChinaCloud": Cloud("https://microsoftgraph.chinacloudapi.cn", "https://partner.outlook.cn", "",
                             "https://login.chinacloudapi.cn", "O365China"),
}


def cloud(name: str) -> Cloud:
    try:
        return CLOUDS[name or DEFAULT]
    except KeyError:
        raise ConfigurationError(f"AZURE_CLOUD must be one of {', '.join(CLOUDS)}, not {name!r}") from None


def with_cloud_hosts(env: Mapping[str, str]) -> dict[str, str]:
    """`env` with each host setting it leaves unset filled in from AZURE_CLOUD."""
    hosts = cloud(env.get("AZURE_CLOUD", DEFAULT)).hosts()
    return {**{name: value for name, value in hosts.items() if name not in env}, **env}


def authority(env: Mapping[str, str]) -> str:
    """The Entra authority host for azure-identity: LOGIN_BASE_URL, else the cloud's."""
    return with_cloud_hosts(env)["LOGIN_BASE_URL"]
