"""What the host tests share: a thread-safe record of calls and polling with a deadline."""

from __future__ import annotations

import threading
import time
from typing import Any

from azure.storage.queue.aio import QueueClient

from tests.polling import eventually


class Calls:
    """What test functions saw, appended from the event loop or from a function's thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[dict[str, Any]] = []

    def add(self, **item: Any) -> None:
        with self._lock:
            self._items.append({"at": time.monotonic(), **item})

    @property
    def items(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._items)

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        await eventually(lambda: len(self.items) >= count, timeout, f"{count} calls")
        return self.items



async def queue_texts(queue: QueueClient) -> list[str]:
    """The raw text of the visible messages on a queue, without taking them."""
    return [message.content for message in await queue.peek_messages(max_messages=32)]


async def message_count(queue: QueueClient) -> int:
    """Messages on a queue, visible or not (0 once the host deleted them)."""
    return (await queue.get_queue_properties()).approximate_message_count
