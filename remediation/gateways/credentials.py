"""The app's credential, and which requests carry a token.

Against a loopback root (the sandbox tenant) nothing is sent; anywhere else the token comes
from azure-identity: the managed identity in Azure, a developer's sign-in elsewhere.
"""

from __future__ import annotations

import inspect
import os
from typing import Mapping

import httpx

from remediation.clouds import authority
from remediation.settings import is_loopback


def app_credential(env: Mapping[str, str] | None = None):
    """The app's azure-identity credential: the user-assigned managed identity named by
    AZURE_CLIENT_ID when set, else DefaultAzureCredential (system identity, az login, ...)."""
    from azure.identity.aio import DefaultAzureCredential, ManagedIdentityCredential

    env = os.environ if env is None else env
    client_id = env.get("AZURE_CLIENT_ID", "")
    # A managed identity needs no authority (IMDS knows its cloud); a developer's sign-in does.
    return ManagedIdentityCredential(client_id=client_id) if client_id else DefaultAzureCredential(
        authority=authority(env))


def scope_for(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/.default"


class BearerTokenAuth(httpx.Auth):
    """Adds `Authorization: Bearer` from an azure-identity credential (sync or async get_token)."""

    def __init__(self, credential, scope: str) -> None:
        self.credential = credential
        self.scope = scope

    async def async_auth_flow(self, request: httpx.Request):
        token = self.credential.get_token(self.scope)
        if inspect.isawaitable(token):
            token = await token
        request.headers["Authorization"] = f"Bearer {token.token}"
        yield request


class CredentialHolder:
    """The credential a client uses: none for a loopback root (the sandbox), the given one, or
    one built by `app_credential()`, which the holder then owns and closes."""

    def __init__(self, base_url: str, credential=None) -> None:
        self.loopback = is_loopback(base_url)
        self.owned = credential is None and not self.loopback
        self.credential = None if self.loopback else (credential or app_credential())

    def auth(self, scope: str) -> httpx.Auth | None:
        return None if self.credential is None else BearerTokenAuth(self.credential, scope)

    async def aclose(self) -> None:
        if self.owned:
            await self.credential.close()
