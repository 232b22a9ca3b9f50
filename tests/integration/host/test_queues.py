"""Queue triggers through the local host, against Azurite: the Storage Queues extension's semantics."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from datetime import datetime, timedelta, timezone

import pytest
from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.queue.aio import QueueClient, QueueServiceClient

from localdev.host import HostConfig
from localdev.host.connections import storage_connection
from localdev.host.indexer import index
from localdev.host.invoker import Invoker
from localdev.host.messages import MessageProcessor
from localdev.host.queues import QueueListener
from localdev.host.storage import StorageClients
from tests.integration.host.apps import queue_app
from tests.integration.host.support import Calls, message_count, queue_texts
from tests.polling import eventually


def encoded(order: dict) -> str:
    return base64.b64encode(json.dumps(order).encode()).decode()


@pytest.fixture
def queue_settings(storage_env, unique_name):
    return {**storage_env, "WORK_QUEUE": f"w{unique_name}"}


@pytest.fixture
async def queues(queue_settings):
    """Clients for the work queue and its poison queue."""
    async with QueueServiceClient.from_connection_string(queue_settings["AzureWebJobsStorage"]) as service:
        work = queue_settings["WORK_QUEUE"]
        yield service.get_queue_client(work), service.get_queue_client(f"{work}-poison")


async def send(queue: QueueClient, *contents: str) -> None:
    try:
        await queue.create_queue()
    except ResourceExistsError:
        pass
    for content in contents:
        await queue.send_message(content)


async def exists(queue: QueueClient) -> bool:
    try:
        await queue.get_queue_properties()
    except ResourceNotFoundError:
        return False
    return True


async def texts_if_any(queue: QueueClient) -> list[str]:
    return await queue_texts(queue) if await exists(queue) else []


async def deleted(queue: QueueClient) -> bool:
    return await message_count(queue) == 0


def host_json(**queues: object) -> dict:
    return {"extensions": {"queues": {"maxPollingInterval": "00:00:00.200", **queues}}}


async def test_a_queue_created_after_the_host_started_is_read_and_its_message_deleted(local_host, queue_settings,
                                                                                       queues):
    work, poison = queues
    calls = Calls()
    await local_host(queue_app.build(calls), queue_settings, host_json())
    await send(work, encoded({"n": 1}))
    first = (await calls.wait_for(2))[0]
    assert json.loads(first["body"]) == {"n": 1}
    assert first["dequeue_count"] == 1 and first["id"] and first["pop_receipt"]
    assert first["expires"] > first["inserted"]
    await eventually(lambda: deleted(work), 5, "the message to be deleted")
    assert not await exists(poison)


async def test_a_received_message_is_leased_for_ten_minutes(local_host, queue_settings, queues):
    work, _ = queues
    await send(work, encoded({"hold": True}))
    calls = Calls()
    await local_host(queue_app.build(calls), queue_settings, host_json())
    received = datetime.now(timezone.utc)
    await calls.wait_for(1)
    visible_again = [message async for message in work.receive_messages(visibility_timeout=1)]
    calls.release.set()
    assert visible_again == []
    leased_until = calls.items[0]["next_visible"]
    assert timedelta(minutes=9) < leased_until - received <= timedelta(minutes=10, seconds=5)


async def test_a_failed_message_comes_back_after_the_visibility_timeout(local_host, queue_settings, queues, caplog):
    work, poison = queues
    calls = Calls()
    await send(work, encoded({"fail_until": 3}))
    with caplog.at_level(logging.INFO):
        await local_host(queue_app.build(calls), queue_settings, host_json(visibilityTimeout="00:00:01"))
        await eventually(lambda: any("finished" in call for call in calls.items), 15, "the third attempt to succeed")
    attempts = [call for call in calls.items if "dequeue_count" in call]
    assert [attempt["dequeue_count"] for attempt in attempts] == [1, 2, 3]
    assert all(later["at"] - earlier["at"] >= 0.9 for earlier, later in zip(attempts, attempts[1:]))
    assert f"Trigger Details: MessageId: {attempts[1]['id']}, DequeueCount: 2" in caplog.text
    assert caplog.text.count("Executed 'Functions.worker' (Failed") == 2
    await eventually(lambda: deleted(work), 5, "the message to be deleted")
    assert not await exists(poison)


async def test_the_last_failed_attempt_moves_the_message_to_the_poison_queue_intact(local_host, queue_settings,
                                                                                     queues, caplog):
    work, poison = queues
    calls = Calls()
    original = encoded({"fail_until": 99, "payload": "keep me"})
    await send(work, original)
    with caplog.at_level(logging.WARNING):
        await local_host(queue_app.build(calls), queue_settings, host_json(maxDequeueCount=2))
        poisoned = await eventually(lambda: texts_if_any(poison), 10, "the poison message")
    assert poisoned == [original]
    assert [call["dequeue_count"] for call in calls.items] == [1, 2]
    assert await message_count(work) == 0
    assert "Message has reached MaxDequeueCount of 2" in caplog.text


async def test_a_message_received_past_max_dequeue_count_is_poisoned_without_a_call(local_host, queue_settings,
                                                                                     queues):
    work, poison = queues
    original = encoded({"n": 2})
    await send(work, original)
    for _ in range(2):  # two receivers that crashed: the dequeue count is 2 before the host sees it
        received = [message async for message in work.receive_messages(visibility_timeout=30)]
        await work.update_message(received[0].id, received[0].pop_receipt, visibility_timeout=0)
    calls = Calls()
    await local_host(queue_app.build(calls), queue_settings, host_json(maxDequeueCount=1))
    assert await eventually(lambda: texts_if_any(poison), 10, "the poison message") == [original]
    assert calls.items == []


async def test_a_message_that_is_not_base64_is_poisoned_without_a_call(local_host, queue_settings, queues, caplog):
    work, poison = queues
    await send(work, '{"plain": "json"}')
    calls = Calls()
    with caplog.at_level(logging.WARNING):
        await local_host(queue_app.build(calls), queue_settings, host_json())
        poisoned = await eventually(lambda: texts_if_any(poison), 10, "the poison message")
    assert poisoned == ['{"plain": "json"}'] and calls.items == []
    assert "Message decoding has failed" in caplog.text


async def test_messages_run_concurrently_up_to_batch_size(local_host, queue_settings, queues):
    work, _ = queues
    await send(work, *[encoded({"sleep": 0.5, "n": n}) for n in range(8)])
    calls = Calls()
    await local_host(queue_app.build(calls), queue_settings, host_json(batchSize=4, newBatchThreshold=0))
    await eventually(lambda: sum("finished" in call for call in calls.items) == 8, 15, "8 messages")
    events = sorted([(call["started"], 1) for call in calls.items if "started" in call]
                    + [(call["at"], -1) for call in calls.items if "finished" in call])
    running = [sum(change for _, change in events[:end]) for end in range(1, len(events) + 1)]
    assert max(running) == 4


async def test_a_long_function_keeps_its_message_hidden_by_renewing_the_lease(local_host, queue_settings, queues,
                                                                              caplog):
    work, _ = queues
    await send(work, encoded({"hold": True}))
    calls = Calls()
    with caplog.at_level(logging.DEBUG, logger="Host.Queues"):
        await local_host(queue_app.build(calls), queue_settings, host_json(), lease_seconds=3)
        # Three renewals at half the lease: the function has run past the first lease and then some.
        await eventually(lambda: caplog.text.count("Renewed the lease of message") >= 3, 15, "three renewals")
    calls.release.set()
    await eventually(lambda: deleted(work), 5, "the message to be deleted")
    assert [call["dequeue_count"] for call in calls.items if "dequeue_count" in call] == [1]


async def test_a_function_over_the_function_timeout_fails_its_attempt(local_host, queue_settings, queues, caplog):
    work, poison = queues
    await send(work, encoded({"hold": True}))
    calls = Calls()
    with caplog.at_level(logging.INFO):
        await local_host(queue_app.build(calls), queue_settings,
                         {"functionTimeout": "00:00:01", **host_json(maxDequeueCount=1)})
        await eventually(lambda: texts_if_any(poison), 10, "the poison message")
    assert len(calls.items) == 1
    assert "Timeout value of 1s exceeded by function 'Functions.worker'" in caplog.text


async def test_an_idle_listener_backs_off_to_the_ceiling_without_creating_the_queue_and_resets_on_a_message(
        queue_settings, queues):
    work, _ = queues
    clients = StorageClients()
    function = index(queue_app.build(Calls()), queue_settings)[0]
    options = HostConfig.from_dict(host_json(maxPollingInterval="00:00:02")).queues
    processor = MessageProcessor(function, clients.queue(storage_connection(None, queue_settings), work.queue_name),
                                 None, options, Invoker(timeout=5))
    delays: list[float] = []
    existed_while_idle: list[bool] = []

    async def record(seconds: float) -> None:   # the listener's sleep: no time passes
        delays.append(seconds)
        if len(delays) == 12:
            existed_while_idle.append(await exists(work))
            await send(work, encoded({"n": 1}))   # the listener finds the queue, then the message
        await asyncio.sleep(0)

    listener = QueueListener(processor, sleep=record)
    listening = asyncio.create_task(listener.run())
    try:
        await eventually(lambda: len(delays) >= 14, 10, "14 polls")
    finally:
        listening.cancel()
        await listener.drain(5)
        await clients.close()
    assert existed_while_idle == [False]
    assert delays[0] == pytest.approx(0.1) and delays[6:12] == [2.0] * 6
    assert all(earlier < later for earlier, later in zip(delays[:5], delays[1:6]))
    assert delays[12] == pytest.approx(0.1)   # the empty poll after the one that found the message
