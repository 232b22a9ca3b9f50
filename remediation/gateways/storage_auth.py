"""The one place that builds Storage clients from Settings.

Two ways in, as the Functions host itself reads `AzureWebJobsStorage`:
- a connection string (Azurite's, `UseDevelopmentStorage=true`, or an account key), or
- identity-based, when no connection string is set: `AzureWebJobsStorage__queueServiceUri` and
  `__tableServiceUri` with a managed identity (`__clientId` names a user-assigned one;
  without it DefaultAzureCredential finds the system-assigned identity or a developer login).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Self, TypeVar

from azure.core.credentials_async import AsyncTokenCredential
from azure.core.exceptions import ResourceExistsError
from azure.data.tables.aio import TableClient
from azure.identity.aio import DefaultAzureCredential, ManagedIdentityCredential
from azure.storage.queue import TextBase64DecodePolicy, TextBase64EncodePolicy
from azure.storage.queue.aio import QueueClient

from remediation.errors import ConfigurationError
from remediation.gateways.storage_errors import translated
from remediation.settings import Settings

# Storage is our own infrastructure: a few quick retries inside the call, then the error
# reaches the queue, which retries the whole message (the SDKs' defaults wait up to a minute).
DEFAULT_RETRIES = 3
_Client = TypeVar("_Client", QueueClient, TableClient)

# URLs of the queues and tables this process has already made sure exist.
_existing: set[str] = set()


def storage_credential(settings: Settings) -> AsyncTokenCredential | None:
    """None when a connection string carries the account key; else the managed identity."""
    if settings.storage_connection:
        return None
    if not (settings.storage_queue_uri and settings.storage_table_uri):
        raise ConfigurationError("set AzureWebJobsStorage, or AzureWebJobsStorage__queueServiceUri and "
                                 "AzureWebJobsStorage__tableServiceUri for identity-based access")
    if settings.storage_client_id:
        return ManagedIdentityCredential(client_id=settings.storage_client_id)
    return DefaultAzureCredential()


class StorageAccount:
    """Builds the `.aio` clients of the app's storage account; owns them and their credential."""

    def __init__(self, settings: Settings, *, retries: int = DEFAULT_RETRIES) -> None:
        self.settings = settings
        self.credential = storage_credential(settings)
        self.retries = retries
        self._clients: list[QueueClient | TableClient] = []

    def queue(self, name: str, *, base64: bool = True) -> QueueClient:
        """A queue client; `base64=False` reads and writes the message text as it is on the wire."""
        # Passed as options: the async client builds its own (async) ExponentialRetry from them.
        options: dict[str, Any] = {"retry_total": self.retries, "initial_backoff": 1, "increment_base": 2}
        if base64:
            # The Functions queue trigger expects base64 (host.json messageEncoding, its default).
            options.update(message_encode_policy=TextBase64EncodePolicy(),
                           message_decode_policy=TextBase64DecodePolicy())
        if self.credential is None:
            return self._own(QueueClient.from_connection_string(self.settings.storage_connection, name, **options))
        return self._own(QueueClient(self.settings.storage_queue_uri, name, credential=self.credential, **options))

    def table(self, name: str) -> TableClient:
        options: dict[str, Any] = {"retry_total": self.retries}
        if self.credential is None:
            return self._own(TableClient.from_connection_string(self.settings.storage_connection, name, **options))
        return self._own(TableClient(self.settings.storage_table_uri, name, credential=self.credential, **options))

    def _own(self, client: _Client) -> _Client:
        self._clients.append(client)
        return client

    async def close(self) -> None:
        for client in self._clients:
            await client.close()
        self._clients.clear()
        if self.credential is not None:
            await self.credential.close()


class StorageAdapter:
    """Base of the adapters: each owns one StorageAccount, closed with it (or by `async with`)."""

    def __init__(self, account: StorageAccount) -> None:
        self._account = account

    async def close(self) -> None:
        await self._account.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


async def create_once(url: str, create: Callable[[], Awaitable[Any]], service: str) -> None:
    """Create a queue or table when missing, once per process rather than before every call."""
    if url in _existing:
        return
    with translated(service):
        try:
            await create()
        except ResourceExistsError:
            pass
    _existing.add(url)
