"""The queue trigger's listener, as the Storage Queues extension (v5) runs it:

- the queue is not created: until it exists, the listener backs off and looks again;
- it receives up to `batchSize` messages (each leased for 10 minutes), runs them
  concurrently, and receives again once no more than `newBatchThreshold` are still running;
- an empty poll (or a storage error) backs off from 100 ms up to `maxPollingInterval`
  (backoff.PollingBackoff); a poll that found messages resets it.

What happens to each message is in messages.py.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable

from azure.core.exceptions import AzureError, ResourceNotFoundError
from azure.storage.queue import QueueMessage as StoredMessage

from localdev.host.backoff import PollingBackoff
from localdev.host.messages import MessageProcessor

log = logging.getLogger("Host.Queues")


class QueueListener:
    def __init__(self, processor: MessageProcessor, *,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.function = processor.function
        self.queue_name: str = processor.queue.queue_name
        self._processor = processor
        self._queue = processor.queue
        self._options = processor.options
        self._backoff = PollingBackoff(processor.options.max_polling_interval)
        self._sleep = sleep
        self._queue_exists = False
        self._in_flight: set[asyncio.Task] = set()

    async def run(self) -> None:
        found_since_last_delay = False
        while True:
            messages = await self._receive()
            for message in messages:
                task = asyncio.create_task(self._processor.process(message))
                self._in_flight.add(task)
                task.add_done_callback(self._finished)
            if messages:
                found_since_last_delay = True
                while len(self._in_flight) > self._options.new_batch_threshold:
                    await asyncio.wait(self._in_flight, return_when=asyncio.FIRST_COMPLETED)
                continue
            await self._sleep(self._backoff.next_delay(found_since_last_delay))
            found_since_last_delay = False

    async def _receive(self) -> list[StoredMessage]:
        try:
            if not self._queue_exists:
                # Checked until the queue exists, then only after an error, as the listener does.
                self._queue_exists = await self._exists()
                if not self._queue_exists:
                    return []
            batch = self._options.batch_size
            return [message async for message in self._queue.receive_messages(
                messages_per_page=batch, max_messages=batch, visibility_timeout=self._processor.lease_seconds)]
        except AzureError as error:
            self._queue_exists = False
            log.warning("Could not read queue '%s': %s", self.queue_name, error)
            return []

    async def _exists(self) -> bool:
        try:
            await self._queue.get_queue_properties()
        except ResourceNotFoundError:
            return False
        return True

    def _finished(self, task: asyncio.Task) -> None:
        self._in_flight.discard(task)
        if not task.cancelled() and task.exception():
            log.error("Handling a message from '%s' failed", self.queue_name, exc_info=task.exception())

    async def drain(self, grace: float) -> None:
        """Let running functions finish for up to `grace` seconds, then cancel them."""
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=grace)
        for task in list(self._in_flight):
            task.cancel()
        if self._in_flight:
            await asyncio.wait(self._in_flight)
