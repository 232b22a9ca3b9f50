"""StorageQueue against Azurite: what lands on the wire, delays, the poison queue."""

from __future__ import annotations

import asyncio
import base64
import json
import time

import pytest

from remediation.errors import ConfigurationError
from remediation.gateways.queue import MAX_DELAY_SECONDS, poison_queue_name


async def test_a_sent_message_is_base64_json_on_the_wire(work_queue, storage_account, settings):
    body = {"kind": "run", "jobId": "j-1", "note": "Zoë ✓"}
    await work_queue.send(body)

    [message] = await storage_account.queue(settings.queue_name, base64=False).peek_messages()

    assert not message.content.lstrip().startswith("{")
    assert json.loads(base64.b64decode(message.content, validate=True)) == body


async def test_a_delayed_message_stays_invisible_until_its_delay_passes(work_queue, storage_account, settings):
    raw = storage_account.queue(settings.queue_name, base64=False)
    sent = time.monotonic()
    await work_queue.send({"kind": "follow_up", "jobId": "j-1", "attempt": 1}, delay_seconds=2)

    assert await raw.peek_messages() == []
    deadline = sent + 15
    while not (visible := await raw.peek_messages()):
        assert time.monotonic() < deadline, "the delayed message never became visible"
        await asyncio.sleep(0.2)

    assert time.monotonic() - sent >= 1.5
    assert json.loads(base64.b64decode(visible[0].content)) == {"kind": "follow_up", "jobId": "j-1", "attempt": 1}


async def test_the_longest_delay_is_accepted_and_hides_the_message(work_queue, storage_account, settings):
    await work_queue.send({"kind": "follow_up", "jobId": "j-1"}, delay_seconds=MAX_DELAY_SECONDS)

    assert await storage_account.queue(settings.queue_name, base64=False).peek_messages() == []


@pytest.mark.parametrize("delay", [-1, MAX_DELAY_SECONDS + 1])
async def test_a_delay_outside_zero_to_seven_days_is_refused(work_queue, delay):
    with pytest.raises(ConfigurationError, match="0 to 604800"):
        await work_queue.send({"kind": "run", "jobId": "j-1"}, delay_seconds=delay)


async def test_poison_messages_decode_ours_and_keep_anything_else_raw(work_queue, storage_account, settings):
    poison = storage_account.queue(poison_queue_name(settings.queue_name), base64=False)
    await poison.create_queue()
    ours = {"kind": "run", "jobId": "j-9"}
    await poison.send_message(base64.b64encode(json.dumps(ours).encode()).decode())
    await poison.send_message(base64.b64encode("Zoë's note".encode()).decode())
    await poison.send_message("plain {not json")

    messages = await work_queue.poison_messages()

    assert [message.body for message in messages] == [ours, {"raw": "Zoë's note"}, {"raw": "plain {not json"}]
    assert all(message.id and message.inserted_on for message in messages)
    assert await poison.peek_messages(max_messages=32) != [], "peeking must leave the messages in place"


async def test_poison_messages_is_empty_before_anything_failed(work_queue):
    assert await work_queue.poison_messages() == []


async def test_poison_messages_returns_at_most_the_limit(work_queue, storage_account, settings):
    poison = storage_account.queue(poison_queue_name(settings.queue_name))
    await poison.create_queue()
    for number in range(5):
        await poison.send_message(json.dumps({"kind": "run", "jobId": f"j-{number}"}))

    assert [message.body["jobId"] for message in await work_queue.poison_messages(limit=3)] == ["j-0", "j-1", "j-2"]
