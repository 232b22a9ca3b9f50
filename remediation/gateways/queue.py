"""WorkQueue on Azure Queue Storage (`.aio`): base64 JSON messages, delayed sends, poison peek."""

from __future__ import annotations

import base64
import binascii
import json

from remediation.errors import ConfigurationError
from remediation.gateways.storage_auth import StorageAccount, StorageAdapter, create_once
from remediation.gateways.storage_errors import QUEUE_SERVICE, translated
from remediation.ports import QueuedMessage
from remediation.settings import Settings

# A message can be hidden for at most 7 days; it also lives 7 days by default.
MAX_DELAY_SECONDS = 7 * 24 * 3600
MESSAGE_LIFETIME_SECONDS = 7 * 24 * 3600
PEEK_LIMIT = 32  # the most messages the service returns from one peek


def poison_queue_name(queue_name: str) -> str:
    """Where the Functions host moves a message after maxDequeueCount failed attempts."""
    return f"{queue_name}-poison"


def decode_body(text: str) -> dict:
    """A message as the trigger would read it; anything that is not our JSON comes back under "raw"."""
    try:
        text = base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        pass  # not base64: someone sent plain text
    try:
        body = json.loads(text)
    except ValueError:
        return {"raw": text}
    return body if isinstance(body, dict) else {"raw": text}


class StorageQueue(StorageAdapter):
    """The remediation queue and its poison queue."""

    def __init__(self, account: StorageAccount, queue_name: str) -> None:
        super().__init__(account)
        self._queue = account.queue(queue_name)
        # Read as raw text, so one message we cannot decode does not hide the others.
        self._poison = account.queue(poison_queue_name(queue_name), base64=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> StorageQueue:
        return cls(StorageAccount(settings), settings.queue_name)

    async def send(self, body: dict, *, delay_seconds: int = 0) -> None:
        if not 0 <= delay_seconds <= MAX_DELAY_SECONDS:
            raise ConfigurationError(f"a queue message can be delayed 0 to {MAX_DELAY_SECONDS} seconds, "
                                     f"not {delay_seconds}", service=QUEUE_SERVICE)
        await self._create_queues()
        with translated(QUEUE_SERVICE):
            # The lifetime counts from the send: extend it so a delayed message still gets its week.
            await self._queue.send_message(json.dumps(body), visibility_timeout=delay_seconds or None,
                                           time_to_live=delay_seconds + MESSAGE_LIFETIME_SECONDS)

    async def poison_messages(self, limit: int = PEEK_LIMIT) -> list[QueuedMessage]:
        await self._create_queues()
        with translated(QUEUE_SERVICE):
            peeked = await self._poison.peek_messages(max_messages=max(1, min(limit, PEEK_LIMIT)))
        return [QueuedMessage(message.id, decode_body(message.content), message.dequeue_count or 0,
                              message.inserted_on) for message in peeked]

    async def _create_queues(self) -> None:
        for client in (self._queue, self._poison):
            await create_once(client.url, client.create_queue, QUEUE_SERVICE)
