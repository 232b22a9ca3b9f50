"""What the host tests share: a record of calls and looks at a queue without taking its messages."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from azure.storage.queue.aio import QueueClient

from tests.polling import eventually


class Calls:
    """What test functions saw, in order; `release` lets a function that holds go on."""

    def __init__(self) -> None:
        self._items: list[dict[str, Any]] = []
        self.release = asyncio.Event()

    def add(self, **item: Any) -> None:
        self._items.append({"at": time.monotonic(), **item})

    @property
    def items(self) -> list[dict[str, Any]]:
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
