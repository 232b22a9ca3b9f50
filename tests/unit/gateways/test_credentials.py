"""Which credential the app uses, and which requests carry a token."""

from __future__ import annotations

import time

import httpx
from azure.core.credentials import AccessToken
from azure.identity.aio import DefaultAzureCredential, ManagedIdentityCredential

from remediation.gateways.credentials import BearerTokenAuth, CredentialHolder, app_credential


async def test_a_user_assigned_identity_is_used_when_azure_client_id_is_set():
    credential = app_credential({"AZURE_CLIENT_ID": "0b7d9c31-58e2-4f61-8a3b-6c5d4e3f2a10"})
    assert isinstance(credential, ManagedIdentityCredential)
    await credential.close()


async def test_otherwise_the_default_chain_is_used():
    credential = app_credential({})
    assert isinstance(credential, DefaultAzureCredential)
    await credential.close()


async def test_a_loopback_root_gets_no_credential_at_all(credential):
    for root in ("http://127.0.0.1:8080", "http://localhost:7071", "http://[::1]:9000"):
        holder = CredentialHolder(root, credential)
        assert holder.credential is None and holder.auth("scope") is None
        await holder.aclose()
    assert credential.closed is False


async def test_a_given_credential_is_used_but_not_closed(credential):
    holder = CredentialHolder("https://outlook.office365.com", credential)
    assert holder.credential is credential and isinstance(holder.auth("scope"), BearerTokenAuth)
    await holder.aclose()
    assert credential.closed is False


async def test_a_credential_built_here_is_closed_here(monkeypatch):
    monkeypatch.delenv("AZURE_CLIENT_ID", raising=False)
    holder = CredentialHolder("https://graph.microsoft.com")
    assert isinstance(holder.credential, DefaultAzureCredential) and holder.owned
    await holder.aclose()


class SyncCredential:
    def get_token(self, *scopes: str, **kwargs) -> AccessToken:
        return AccessToken(f"sync-{scopes[0]}", int(time.time()) + 60)


async def test_a_synchronous_credential_also_signs_requests(service):
    service.reply(httpx.Response(200))
    auth = BearerTokenAuth(SyncCredential(), "https://manage.office.com/.default")
    async with httpx.AsyncClient(transport=service.transport, auth=auth) as client:
        await client.get("https://manage.office.com/api/v1.0/x")
    assert service.requests[0].headers["Authorization"] == "Bearer sync-https://manage.office.com/.default"


async def test_a_developer_sign_in_goes_to_the_authority_of_azure_cloud():
    credential = app_credential({"AZURE_CLOUD": "AzureUSGovernment"})
    authorities = {getattr(inner, "_authority", None) for inner in credential.credentials}
    assert "https://login.microsoftonline.us" in authorities
    await credential.close()
