"""One queue message through the Storage Queues extension's QueueProcessor:

- a message whose dequeue count is already above `maxDequeueCount`, or that is not base64,
  goes to `<queue>-poison` without a call;
- while the function runs, the message's lease (10 minutes) is renewed at half its length
  (sooner after a failed renewal, down to every minute);
- success deletes it; a failure makes it visible again after `visibilityTimeout`, except on
  the attempt whose dequeue count reaches `maxDequeueCount`, which moves it to the poison
  queue (created if missing); a queue with no poison queue leaves it invisible.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from dataclasses import dataclass
from typing import Any

from azure.core.exceptions import AzureError, ResourceExistsError, ResourceNotFoundError
from azure.functions.queue import QueueMessage
from azure.storage.queue import QueueMessage as StoredMessage
from azure.storage.queue.aio import QueueClient

from localdev.host.backoff import RenewalSpeedup
from localdev.host.config import QueueOptions
from localdev.host.indexer import IndexedFunction
from localdev.host.invoker import Invoker
from localdev.host.storage import decode_body

LEASE_SECONDS = 10 * 60
MIN_RENEWAL_INTERVAL = 60.0
log = logging.getLogger("Host.Queues")


class _Lease:
    """Keeps one message invisible while its function runs."""

    def __init__(self, queue: QueueClient, message: StoredMessage, seconds: int) -> None:
        self.queue = queue
        self._seconds = seconds
        self._speedup = RenewalSpeedup(seconds / 2, MIN_RENEWAL_INTERVAL)
        self.message_id = message.id
        self.pop_receipt = message.pop_receipt
        self._released = asyncio.Event()

    async def hold(self) -> None:
        delay = self._speedup.next_delay(succeeded=True)
        while True:
            try:
                await asyncio.wait_for(self._released.wait(), delay)
                return
            except asyncio.TimeoutError:
                pass
            try:
                receipt = await self.queue.update_message(self.message_id, self.pop_receipt,
                                                           visibility_timeout=self._seconds)
                self.pop_receipt = receipt.pop_receipt
                log.debug("Renewed the lease of message %s", self.message_id)
                delay = self._speedup.next_delay(succeeded=True)
            except AzureError as error:
                log.warning("Could not renew the lease of message %s: %s", self.message_id, error)
                delay = self._speedup.next_delay(succeeded=False)

    def release(self) -> None:
        self._released.set()


@dataclass(frozen=True)
class MessageProcessor:
    """What becomes of the messages of one function's queue (`poison`: None when it has no poison queue)."""
    function: IndexedFunction
    queue: QueueClient
    poison: QueueClient | None
    options: QueueOptions
    invoker: Invoker
    lease_seconds: int = LEASE_SECONDS

    async def process(self, message: StoredMessage) -> None:
        if message.dequeue_count > self.options.max_dequeue_count:
            await self._move_to_poison(message, message.pop_receipt)
            return
        try:
            body = decode_body(message.content)
        except ValueError:
            log.warning("Message decoding has failed! Check MessageEncoding settings. MessageId=%s.", message.id)
            await self._move_to_poison(message, message.pop_receipt)
            return
        lease = _Lease(self.queue, message, self.lease_seconds)
        holding = asyncio.create_task(lease.hold())
        try:
            await self.invoker.invoke(
                self.function, _trigger_value(message, body),
                reason=f"New queue message detected on '{self.queue.queue_name}'.",
                details=f"MessageId: {message.id}, DequeueCount: {message.dequeue_count}, "
                        f"InsertedOn: {message.inserted_on.isoformat()}")
            succeeded = True
        except asyncio.CancelledError:
            # Shutting down: give the message back at once rather than when the lease ends.
            lease.release()
            await holding
            await self._settle(self.queue.update_message(message.id, lease.pop_receipt, visibility_timeout=0))
            raise
        except Exception:  # the invoker logged it; the message's fate is decided below
            succeeded = False
        lease.release()
        await holding
        await self._complete(message, lease.pop_receipt, succeeded)

    async def _complete(self, message: StoredMessage, pop_receipt: str, succeeded: bool) -> None:
        if succeeded:
            await self._settle(self.queue.delete_message(message.id, pop_receipt))
        elif self.poison is None:
            pass  # as the host does for a queue without a poison queue: left invisible, no fast loop
        elif message.dequeue_count >= self.options.max_dequeue_count:
            await self._move_to_poison(message, pop_receipt)
        else:
            await self._settle(self.queue.update_message(
                message.id, pop_receipt, visibility_timeout=math.ceil(self.options.visibility_timeout)))

    async def _move_to_poison(self, message: StoredMessage, pop_receipt: str) -> None:
        if self.poison is None:
            return
        log.warning("Message has reached MaxDequeueCount of %d. Moving message to queue '%s'.",
                    self.options.max_dequeue_count, self.poison.queue_name)
        try:
            await _send_creating(self.poison, message.content)
        except AzureError as error:  # kept on the queue: it comes back when its lease ends
            log.warning("Could not move message %s to '%s': %s", message.id, self.poison.queue_name, error)
            return
        await self._settle(self.queue.delete_message(message.id, pop_receipt))

    async def _settle(self, operation: Any) -> None:
        """Delete or update a message; one that is gone or taken over by another receiver is not ours any more."""
        try:
            await operation
        except ResourceNotFoundError:
            log.debug("Message on '%s' was already gone", self.queue.queue_name)
        except AzureError as error:
            log.warning("Could not settle a message on '%s': %s", self.queue.queue_name, error)


async def _send_creating(queue: QueueClient, content: str) -> None:
    """AddMessageAndCreateIfNotExistsAsync: send, and create the queue only when it is missing."""
    try:
        await queue.send_message(content)
    except ResourceNotFoundError:
        with contextlib.suppress(ResourceExistsError):  # another message created it meanwhile
            await queue.create_queue()
        await queue.send_message(content)


def _trigger_value(message: StoredMessage, body: bytes) -> QueueMessage:
    return QueueMessage(id=message.id, body=body, dequeue_count=message.dequeue_count,
                        expiration_time=message.expires_on, insertion_time=message.inserted_on,
                        time_next_visible=message.next_visible_on, pop_receipt=message.pop_receipt)
