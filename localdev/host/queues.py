"""The queue trigger, with the Storage Queues extension's semantics (v5):

- receive up to `batchSize` messages, run them concurrently, and receive again once no more
  than `newBatchThreshold` are still running; poll an empty queue with a back-off from
  100 ms up to `maxPollingInterval`;
- keep a running message invisible (a lease renewed at half its length);
- success deletes the message; a failure makes it visible again after `visibilityTimeout`,
  except on the attempt whose dequeue count reaches `maxDequeueCount`, which moves it to
  `<queue>-poison`; a message received with a dequeue count already above it, or that is
  not in the configured encoding, goes there without a call.
"""

from __future__ import annotations

import asyncio
import logging
import math
from typing import Any

from azure.core.exceptions import AzureError, ResourceNotFoundError
from azure.functions.queue import QueueMessage
from azure.storage.queue import QueueMessage as StoredMessage
from azure.storage.queue.aio import QueueClient

from localdev.host.config import QueueOptions
from localdev.host.indexer import IndexedFunction
from localdev.host.invoker import Invoker
from localdev.host.storage import QueueClients, decode_body, poison_queue_name

MIN_POLLING_INTERVAL = 0.1
# The host leases a message for 10 minutes; locally a shorter lease brings a message back
# sooner after a crash, and the renewal keeps a long-running function's message hidden.
DEFAULT_LEASE_SECONDS = 60
log = logging.getLogger("Host.Queues")


class _Lease:
    """Keeps one message invisible while its function runs, renewing at half the lease."""

    def __init__(self, queue: QueueClient, message: StoredMessage, seconds: int) -> None:
        self._queue = queue
        self._seconds = seconds
        self.message_id = message.id
        self.pop_receipt = message.pop_receipt
        self._released = asyncio.Event()

    async def hold(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._released.wait(), self._seconds / 2)
                return
            except asyncio.TimeoutError:
                pass
            try:
                receipt = await self._queue.update_message(self.message_id, self.pop_receipt,
                                                           visibility_timeout=self._seconds)
                self.pop_receipt = receipt.pop_receipt
            except AzureError as error:
                log.warning("Could not renew the lease of message %s: %s", self.message_id, error)

    def release(self) -> None:
        self._released.set()


class QueueListener:
    def __init__(self, function: IndexedFunction, *, clients: QueueClients, connection: str,
                 options: QueueOptions, invoker: Invoker, lease_seconds: int = DEFAULT_LEASE_SECONDS) -> None:
        self.function = function
        self.queue_name: str = function.trigger.get("queueName")
        self._clients = clients
        self._connection = connection
        self._options = options
        self._invoker = invoker
        self._lease_seconds = lease_seconds
        self._poison_name = poison_queue_name(self.queue_name)
        self._in_flight: set[asyncio.Task] = set()
        self._wake = asyncio.Event()

    def notify(self) -> None:
        """A message was just added to this queue: look now rather than after the back-off."""
        self._wake.set()

    async def run(self) -> None:
        queue = await self._open()
        delay = MIN_POLLING_INTERVAL
        while True:
            while len(self._in_flight) > self._options.new_batch_threshold:
                await asyncio.wait(self._in_flight, return_when=asyncio.FIRST_COMPLETED)
            messages = await self._receive(queue)
            for message in messages:
                task = asyncio.create_task(self._process(queue, message))
                self._in_flight.add(task)
                task.add_done_callback(self._finished)
            if messages:
                delay = MIN_POLLING_INTERVAL
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), delay)
                delay = MIN_POLLING_INTERVAL
            except asyncio.TimeoutError:
                delay = min(delay * 2, self._options.max_polling_interval)
            self._wake.clear()

    def _finished(self, task: asyncio.Task) -> None:
        self._in_flight.discard(task)
        if not task.cancelled() and task.exception():
            log.error("Handling a message from '%s' failed", self.queue_name, exc_info=task.exception())

    async def _open(self) -> QueueClient:
        """The queue, created if missing; storage that is not up yet is waited for."""
        delay = MIN_POLLING_INTERVAL
        while True:
            try:
                return await self._clients.queue(self._connection, self.queue_name)
            except AzureError as error:
                log.warning("Queue '%s' is not reachable yet: %s", self.queue_name, error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._options.max_polling_interval)

    async def drain(self, grace: float) -> None:
        """Let running functions finish for up to `grace` seconds, then cancel them."""
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=grace)
        for task in list(self._in_flight):
            task.cancel()
        if self._in_flight:
            await asyncio.wait(self._in_flight)

    async def _receive(self, queue: QueueClient) -> list[StoredMessage]:
        batch = self._options.batch_size
        try:
            return [message async for message in queue.receive_messages(
                messages_per_page=batch, max_messages=batch, visibility_timeout=self._lease_seconds)]
        except AzureError as error:
            log.warning("Could not read queue '%s': %s", self.queue_name, error)
            return []

    async def _process(self, queue: QueueClient, message: StoredMessage) -> None:
        if message.dequeue_count > self._options.max_dequeue_count:
            await self._move_to_poison(queue, message, message.pop_receipt)
            return
        try:
            body = decode_body(message.content, self._options.message_encoding)
        except ValueError:
            log.warning("Message decoding has failed! Check MessageEncoding settings. MessageId=%s.", message.id)
            await self._move_to_poison(queue, message, message.pop_receipt)
            return
        lease = _Lease(queue, message, self._lease_seconds)
        holding = asyncio.create_task(lease.hold())
        try:
            await self._invoker.invoke(
                self.function, self._trigger_value(message, body),
                reason=f"New queue message detected on '{self.queue_name}'.",
                details=f"MessageId: {message.id}, DequeueCount: {message.dequeue_count}, "
                        f"InsertedOn: {message.inserted_on.isoformat()}")
            succeeded = True
        except asyncio.CancelledError:
            # Shutting down: give the message back at once rather than when the lease ends.
            lease.release()
            await holding
            await self._settle(queue.update_message(message.id, lease.pop_receipt, visibility_timeout=0))
            raise
        except Exception:  # the invoker logged it; the message's fate is decided below
            succeeded = False
        lease.release()
        await holding
        await self._complete(queue, message, lease.pop_receipt, succeeded)

    async def _complete(self, queue: QueueClient, message: StoredMessage, pop_receipt: str, succeeded: bool) -> None:
        if succeeded:
            await self._settle(queue.delete_message(message.id, pop_receipt))
        elif self._poison_name is None:
            pass  # as the host does for a queue without a poison queue: left invisible, no fast loop
        elif message.dequeue_count >= self._options.max_dequeue_count:
            await self._move_to_poison(queue, message, pop_receipt)
        else:
            await self._settle(queue.update_message(message.id, pop_receipt,
                                                    visibility_timeout=math.ceil(self._options.visibility_timeout)))

    async def _move_to_poison(self, queue: QueueClient, message: StoredMessage, pop_receipt: str) -> None:
        if self._poison_name is None:
            return
        log.warning("Message has reached MaxDequeueCount of %d. Moving message to queue '%s'.",
                    self._options.max_dequeue_count, self._poison_name)
        try:
            await self._clients.send(self._connection, self._poison_name, message.content)
        except AzureError as error:  # kept on the queue: it comes back when its lease ends
            log.warning("Could not move message %s to '%s': %s", message.id, self._poison_name, error)
            return
        await self._settle(queue.delete_message(message.id, pop_receipt))

    async def _settle(self, operation: Any) -> None:
        """Delete or update a message; one that is gone or taken over by another receiver is not ours any more."""
        try:
            await operation
        except ResourceNotFoundError:
            log.debug("Message on '%s' was already gone", self.queue_name)
        except AzureError as error:
            log.warning("Could not settle a message on '%s': %s", self.queue_name, error)

    def _trigger_value(self, message: StoredMessage, body: bytes) -> Any:
        if self.function.trigger_hint is str:
            return body.decode("utf-8")
        if self.function.trigger_hint is bytes:
            return body
        return QueueMessage(id=message.id, body=body, dequeue_count=message.dequeue_count,
                            expiration_time=message.expires_on, insertion_time=message.inserted_on,
                            time_next_visible=message.next_visible_on, pop_receipt=message.pop_receipt)
