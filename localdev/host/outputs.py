"""The queue output binding: what a function set on a `func.Out` (or returned through
`$return`) becomes queue messages, encoded as host.json's messageEncoding says.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import azure.functions as func

from localdev.host.errors import HostError
from localdev.host.indexer import Binding
from localdev.host.storage import QueueClients, connection_string, encode_body


def message_bodies(value: Any) -> list[bytes]:
    """The messages a value stands for: str, bytes or QueueMessage is one; a list, one each."""
    if isinstance(value, str):
        return [value.encode("utf-8")]
    if isinstance(value, bytes):
        return [value]
    if isinstance(value, func.QueueMessage):
        return [value.get_body()]
    if isinstance(value, (list, tuple)):
        return [body for item in value for body in message_bodies(item)]
    raise HostError(f"a queue output cannot be a {type(value).__name__}: use str, bytes, QueueMessage or a list")


class QueueOutputs:
    def __init__(self, clients: QueueClients, settings: Mapping[str, str], encoding: str,
                 on_sent: Callable[[str], None]) -> None:
        self._clients = clients
        self._settings = settings
        self._encoding = encoding
        self._on_sent = on_sent

    async def send(self, binding: Binding, value: Any) -> None:
        connection = connection_string(binding.get("connection"), self._settings)
        queue_name = binding.get("queueName")
        for body in message_bodies(value):
            await self._clients.send(connection, queue_name, encode_body(body, self._encoding))
        # Like the host's shared queue watcher: a listener on that queue looks at once.
        self._on_sent(queue_name)
