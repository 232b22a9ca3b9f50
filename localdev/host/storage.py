"""Storage clients for the host's own work (queue triggers, poison queues, timer locks), one
service client per connection and service; and queue message bodies as the Storage Queues
extension reads them (base64).
"""

from __future__ import annotations

import base64
import binascii

from azure.core.credentials_async import AsyncTokenCredential
from azure.storage.blob.aio import BlobServiceClient, ContainerClient
from azure.storage.queue.aio import QueueClient, QueueServiceClient

from localdev.host.connections import StorageConnection

POISON_SUFFIX = "-poison"
_QUEUE_NAME_MAX = 63


def poison_queue_name(queue_name: str) -> str | None:
    """`<queue>-poison`, except for a poison queue itself or a name too long to take the suffix."""
    if queue_name.endswith(POISON_SUFFIX) or len(queue_name) + len(POISON_SUFFIX) > _QUEUE_NAME_MAX:
        return None
    return queue_name + POISON_SUFFIX


def decode_body(content: str) -> bytes:
    """The message's bytes; ValueError when it is not base64."""
    try:
        # .NET's decoder, which the host uses, skips whitespace; so does this.
        return base64.b64decode("".join(content.split()), validate=True)
    except binascii.Error as exc:
        raise ValueError(f"not base64: {exc}") from None


class StorageClients:
    """Service clients by connection, built on first use with the connection's string or identity."""

    def __init__(self) -> None:
        self._services: dict[tuple[str, str], QueueServiceClient | BlobServiceClient] = {}
        self._credentials: dict[str, AsyncTokenCredential] = {}

    def queue(self, connection: StorageConnection, queue_name: str) -> QueueClient:
        return self._service(connection, "queue", QueueServiceClient).get_queue_client(queue_name)

    def container(self, connection: StorageConnection, container_name: str) -> ContainerClient:
        return self._service(connection, "blob", BlobServiceClient).get_container_client(container_name)

    def _service(self, connection: StorageConnection, service: str, kind: type) -> object:
        key = (connection.name, service)
        if key not in self._services:
            if connection.connection_string:
                self._services[key] = kind.from_connection_string(connection.connection_string)
            else:
                self._services[key] = kind(connection.service_uri(service), credential=self._credential(connection))
        return self._services[key]

    def _credential(self, connection: StorageConnection) -> AsyncTokenCredential:
        if connection.name not in self._credentials:
            self._credentials[connection.name] = connection.identity.credential()
        return self._credentials[connection.name]

    async def close(self) -> None:
        for client in (*self._services.values(), *self._credentials.values()):
            await client.close()
        self._services.clear()
        self._credentials.clear()
