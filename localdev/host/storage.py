"""Storage connections and queue message bodies, as the Storage Queues extension handles them."""

from __future__ import annotations

import base64
import binascii
from typing import Mapping

from azure.core.exceptions import ResourceExistsError
from azure.storage.queue.aio import QueueClient, QueueServiceClient

from localdev.azurite import ACCOUNT, KEY
from localdev.host.errors import HostError

DEFAULT_CONNECTION = "AzureWebJobsStorage"
POISON_SUFFIX = "-poison"
_QUEUE_NAME_MAX = 63
# Azurite's default ports, which `UseDevelopmentStorage=true` stands for.
_DEVELOPMENT_STORAGE = (f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};"
                        f"QueueEndpoint=http://127.0.0.1:10001/{ACCOUNT};")


def connection_string(connection: str | None, settings: Mapping[str, str]) -> str:
    """The connection string a binding's `connection` names, looked up as the host does."""
    name = connection or DEFAULT_CONNECTION
    value = settings.get(name) or settings.get(f"AzureWebJobs{name}")
    if not value:
        identity_based = any(key.startswith(f"{name}__") for key in settings)
        raise HostError(f"the storage connection '{name}' is not set" + (
            " (identity-based connections are not supported locally: set a connection string)"
            if identity_based else ""))
    if value.replace(" ", "").lower().startswith("usedevelopmentstorage=true"):
        return _DEVELOPMENT_STORAGE
    return value


def poison_queue_name(queue_name: str) -> str | None:
    """`<queue>-poison`, except for a poison queue itself or a name too long to take the suffix."""
    if queue_name.endswith(POISON_SUFFIX) or len(queue_name) + len(POISON_SUFFIX) > _QUEUE_NAME_MAX:
        return None
    return queue_name + POISON_SUFFIX


def encode_body(body: bytes, encoding: str) -> str:
    return base64.b64encode(body).decode("ascii") if encoding == "base64" else body.decode("utf-8")


def decode_body(content: str, encoding: str) -> bytes:
    """The message's bytes; ValueError when it is not in the configured encoding."""
    if encoding != "base64":
        return content.encode("utf-8")
    try:
        # .NET's decoder, which the host uses, skips whitespace; so does this.
        return base64.b64decode("".join(content.split()), validate=True)
    except binascii.Error as exc:
        raise ValueError(f"not base64: {exc}") from None


class QueueClients:
    """One service client per connection string; queues created on first use, as the host does."""

    def __init__(self) -> None:
        self._services: dict[str, QueueServiceClient] = {}
        self._created: set[tuple[str, str]] = set()

    async def queue(self, connection: str, queue_name: str) -> QueueClient:
        service = self._services.get(connection)
        if service is None:
            service = self._services[connection] = QueueServiceClient.from_connection_string(connection)
        client = service.get_queue_client(queue_name)
        if (connection, queue_name) not in self._created:
            try:
                await client.create_queue()
            except ResourceExistsError:
                pass
            self._created.add((connection, queue_name))
        return client

    async def send(self, connection: str, queue_name: str, content: str) -> None:
        await (await self.queue(connection, queue_name)).send_message(content)

    async def close(self) -> None:
        for service in self._services.values():
            await service.close()
        self._services.clear()
