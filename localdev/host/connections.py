"""Storage connections, resolved from the settings as the Functions host resolves a binding's
`connection` (and `AzureWebJobsStorage`, which it uses itself):

- a setting named exactly NAME (or `AzureWebJobsNAME`) with a value is a connection string;
- otherwise the settings under the prefix `NAME__` describe an identity-based connection:
  `queueServiceUri` / `blobServiceUri` (`serviceUri` is an alias of either), and for
  `AzureWebJobsStorage` only, `accountName` (the endpoints of global Azure are inferred);
  `credential` = `managedidentity` takes the managed identity (`clientId` or
  `managedIdentityResourceId` names a user-assigned one, not both); without `credential`,
  `tenantId` + `clientId` + `clientSecret` name a service principal (local development
  only), and with none of these the developer's own login is used (shared token cache,
  Visual Studio Code, Azure CLI). Property names are case-insensitive, as in the host.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from azure.core.credentials_async import AsyncTokenCredential
from azure.identity import aio as identity

from localdev.azurite import ACCOUNT, KEY
from localdev.host.errors import HostError

DEFAULT_CONNECTION = "AzureWebJobsStorage"
SERVICES = ("blob", "queue")
# Azurite's default ports, which `UseDevelopmentStorage=true` stands for.
_DEVELOPMENT_STORAGE = (f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};"
                        f"BlobEndpoint=http://127.0.0.1:10000/{ACCOUNT};"
                        f"QueueEndpoint=http://127.0.0.1:10001/{ACCOUNT};")


@dataclass(frozen=True)
class Identity:
    """How a token for storage is obtained."""
    kind: str  # "managedidentity", "clientsecret" or "developer"
    client_id: str | None = None
    resource_id: str | None = None
    tenant_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)

    def credential(self) -> AsyncTokenCredential:
        if self.kind == "managedidentity":
            if self.resource_id:
                return identity.ManagedIdentityCredential(identity_config={"resource_id": self.resource_id})
            return identity.ManagedIdentityCredential(client_id=self.client_id)
        if self.kind == "clientsecret":
            return identity.ClientSecretCredential(self.tenant_id, self.client_id, self.client_secret)
        return identity.ChainedTokenCredential(identity.SharedTokenCacheCredential(),
                                               identity.VisualStudioCodeCredential(), identity.AzureCliCredential())


@dataclass(frozen=True)
class StorageConnection:
    """A connection string, or service URIs and the identity to call them with."""
    name: str
    connection_string: str | None = None
    service_uris: Mapping[str, str] = field(default_factory=dict)
    identity: Identity | None = None

    def service_uri(self, service: str) -> str:
        if service not in self.service_uris:
            raise HostError(f"the storage connection '{self.name}' has no {service} service: "
                            f"set {self.name}__{service}ServiceUri")
        return self.service_uris[service]


def storage_connection(connection: str | None, settings: Mapping[str, str]) -> StorageConnection:
    """The connection a binding's `connection` (default AzureWebJobsStorage) names, looked up as the host does."""
    name = connection or DEFAULT_CONNECTION
    for candidate in (name, f"AzureWebJobs{name}"):
        value = settings.get(candidate)
        if value:
            if value.replace(" ", "").lower().startswith("usedevelopmentstorage=true"):
                value = _DEVELOPMENT_STORAGE
            return StorageConnection(name=name, connection_string=value)
    for candidate in (name, f"AzureWebJobs{name}"):
        properties = {key[len(candidate) + 2:].lower(): value for key, value in settings.items()
                      if key.lower().startswith(candidate.lower() + "__") and value}
        if properties:
            return StorageConnection(name=candidate, service_uris=_service_uris(candidate, properties),
                                     identity=_identity(candidate, properties))
    raise HostError(f"the storage connection '{name}' is not set: set {name} to a connection string, "
                    f"or {name}__queueServiceUri (and __blobServiceUri) for an identity-based connection")


def _service_uris(name: str, properties: Mapping[str, str]) -> dict[str, str]:
    account = properties.get("accountname") if name == DEFAULT_CONNECTION else None
    uris = {}
    for service in SERVICES:
        uri = properties.get(f"{service}serviceuri") or properties.get("serviceuri")
        if not uri and account:
            uri = f"https://{account}.{service}.core.windows.net"
        if uri:
            uris[service] = uri.rstrip("/")
    if not uris:
        raise HostError(f"the identity-based connection '{name}' has no service URI: set {name}__queueServiceUri"
                        + (f" or {name}__accountName" if name == DEFAULT_CONNECTION else ""))
    return uris


def _identity(name: str, properties: Mapping[str, str]) -> Identity:
    credential = properties.get("credential", "").lower()
    client_id, resource_id = properties.get("clientid"), properties.get("managedidentityresourceid")
    if credential == "managedidentity":
        if client_id and resource_id:
            raise HostError(f"{name}: set __clientId or __managedIdentityResourceId, not both")
        return Identity("managedidentity", client_id=client_id, resource_id=resource_id)
    if credential:
        raise HostError(f"{name}__credential: the local host supports 'managedidentity' only, not {credential!r}")
    tenant_id, secret = properties.get("tenantid"), properties.get("clientsecret")
    if tenant_id and client_id and secret:
        return Identity("clientsecret", client_id=client_id, tenant_id=tenant_id, client_secret=secret)
    return Identity("developer")
