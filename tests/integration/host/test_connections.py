"""Storage connections: a connection string, or an identity-based connection resolved from
`<NAME>__*` settings as the Functions host reads them, and the credential each one gets."""

from __future__ import annotations

import pytest
from azure.identity import aio as identity

from localdev.host import HostError
from localdev.host.connections import Identity, storage_connection
from localdev.host.storage import StorageClients



def test_a_connection_string_wins_over_identity_settings():
    connection = storage_connection("AzureWebJobsStorage", {
        "AzureWebJobsStorage": "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=k;",
        "AzureWebJobsStorage__accountName": "ignored"})
    assert connection.connection_string.startswith("DefaultEndpointsProtocol=https;AccountName=a;")
    assert connection.identity is None


def test_development_storage_stands_for_azurites_default_ports():
    connection = storage_connection(None, {"AzureWebJobsStorage": "UseDevelopmentStorage=true"})
    assert "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;" in connection.connection_string
    assert "QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;" in connection.connection_string


def test_a_bare_name_is_also_looked_up_with_the_azurewebjobs_prefix():
    assert storage_connection("Storage", {"AzureWebJobsStorage": "UseDevelopmentStorage=true"}).connection_string


def test_account_name_infers_the_global_azure_endpoints_of_host_storage():
    connection = storage_connection(None, {"AzureWebJobsStorage": "", "AzureWebJobsStorage__accountName": "contoso"})
    assert connection.connection_string is None
    assert connection.service_uri("queue") == "https://contoso.queue.core.windows.net"
    assert connection.service_uri("blob") == "https://contoso.blob.core.windows.net"
    assert connection.identity == Identity("developer")


def test_service_uris_win_over_the_account_name_and_property_names_are_case_insensitive():
    connection = storage_connection("AzureWebJobsStorage", {
        "AzureWebJobsStorage__accountName": "contoso",
        "AzureWebJobsStorage__QUEUESERVICEURI": "https://q.example.net/",
        "AzureWebJobsStorage__tableServiceUri": "https://t.example.net"})
    assert connection.service_uris == {"queue": "https://q.example.net",
                                       "blob": "https://contoso.blob.core.windows.net"}


def test_account_name_is_only_for_host_storage_and_service_uri_is_an_alias():
    with pytest.raises(HostError, match="the identity-based connection 'Other' has no service URI"):
        storage_connection("Other", {"Other__accountName": "contoso"})
    connection = storage_connection("Other", {"Other__serviceUri": "https://q.example.net"})
    assert connection.service_uris == {"queue": "https://q.example.net", "blob": "https://q.example.net"}


def test_a_missing_service_is_named():
    connection = storage_connection(None, {"AzureWebJobsStorage__queueServiceUri": "https://q.example.net"})
    with pytest.raises(HostError, match="has no blob service: set AzureWebJobsStorage__blobServiceUri"):
        connection.service_uri("blob")


def test_an_unset_connection_says_what_to_set():
    with pytest.raises(HostError, match="the storage connection 'AzureWebJobsStorage' is not set"):
        storage_connection(None, {"AzureWebJobsStorage": ""})


@pytest.mark.parametrize(("properties", "expected"), [
    ({"credential": "managedidentity"}, Identity("managedidentity")),
    ({"credential": "ManagedIdentity", "clientId": "c1"}, Identity("managedidentity", client_id="c1")),
    ({"credential": "managedidentity", "managedIdentityResourceId": "/r"},
     Identity("managedidentity", resource_id="/r")),
    ({"tenantId": "t", "clientId": "c", "clientSecret": "s"},
     Identity("clientsecret", client_id="c", tenant_id="t", client_secret="s")),
    ({"clientId": "c"}, Identity("developer")),
])
def test_the_identity_follows_the_credential_properties(properties, expected):
    settings = {"AzureWebJobsStorage__accountName": "contoso",
                **{f"AzureWebJobsStorage__{key}": value for key, value in properties.items()}}
    assert storage_connection(None, settings).identity == expected


@pytest.mark.parametrize(("properties", "message"), [
    ({"credential": "managedidentity", "clientId": "c", "managedIdentityResourceId": "/r"},
     "set __clientId or __managedIdentityResourceId, not both"),
    ({"credential": "managedidentityasfederatedidentity"}, "supports 'managedidentity' only"),
])
def test_credential_settings_the_host_cannot_follow_are_refused(properties, message):
    settings = {"AzureWebJobsStorage__accountName": "contoso",
                **{f"AzureWebJobsStorage__{key}": value for key, value in properties.items()}}
    with pytest.raises(HostError, match=message):
        storage_connection(None, settings)


@pytest.mark.parametrize(("identity_settings", "credential_type"), [
    ({"AzureWebJobsStorage__credential": "managedidentity", "AzureWebJobsStorage__clientId": "c1"},
     identity.ManagedIdentityCredential),
    ({"AzureWebJobsStorage__tenantId": "t", "AzureWebJobsStorage__clientId": "c",
      "AzureWebJobsStorage__clientSecret": "s"}, identity.ClientSecretCredential),
    ({}, identity.ChainedTokenCredential),
])
async def test_identity_clients_call_the_service_uris_with_the_identitys_credential(identity_settings,
                                                                                    credential_type):
    connection = storage_connection(None, {"AzureWebJobsStorage__accountName": "contoso", **identity_settings})
    clients = StorageClients()
    queue, container = clients.queue(connection, "work"), clients.container(connection, "locks")
    assert queue.url == "https://contoso.queue.core.windows.net/work"
    assert container.url == "https://contoso.blob.core.windows.net/locks"
    assert isinstance(queue.credential, credential_type) and container.credential is queue.credential
    await clients.close()
