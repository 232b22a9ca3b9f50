"""The queue worker and the timers: what they hand to the domain, and failures that must raise."""

from __future__ import annotations

import json
import logging

import pytest
from azure.functions.queue import QueueMessage
from azure.functions.timer import TimerRequest

from handlers.sweep import poll_security_alerts, report_poison_messages, sweep_blocked_senders
from handlers.worker import HOST_JSON, max_dequeue_count, remediation_worker
from remediation.errors import TransientError

# The concrete classes the Python worker hands to a function.
TIMER = TimerRequest(past_due=False)


def message(body: dict, dequeue_count: int) -> QueueMessage:
    return QueueMessage(id="m1", body=json.dumps(body).encode(), dequeue_count=dequeue_count)


async def test_a_message_is_handled_with_its_attempt_and_the_hosts_limit(fake):
    await remediation_worker(message({"kind": "run", "jobId": "j1"}, 3))
    assert fake.handled == [({"kind": "run", "jobId": "j1"}, 3, 5)]


async def test_a_transient_failure_raises_so_the_host_retries(fake):
    fake.failure = TransientError("Graph answered 503")
    with pytest.raises(TransientError, match="^Graph answered 503$"):
        await remediation_worker(message({"kind": "follow_up", "jobId": "j1", "attempt": 1}, 1))


def test_the_limit_is_read_from_host_json(tmp_path):
    assert max_dequeue_count(HOST_JSON) == json.loads(HOST_JSON.read_text())["extensions"]["queues"]["maxDequeueCount"]
    custom = tmp_path / "host.json"
    custom.write_text(json.dumps({"version": "2.0", "extensions": {"queues": {"maxDequeueCount": 2}}}))
    assert max_dequeue_count(custom) == 2


@pytest.mark.parametrize("content", [None, "{", json.dumps({"version": "2.0"})])
def test_without_a_setting_the_hosts_default_applies(tmp_path, content):
    path = tmp_path / "host.json"
    if content is not None:
        path.write_text(content)
    assert max_dequeue_count(path) == 5


async def test_the_sweep_timer_runs_the_sweep(fake, caplog):
    fake.blocked = [{"senderAddress": "mallory@contoso.com"}]
    with caplog.at_level(logging.INFO):
        await sweep_blocked_senders(TIMER)
    assert fake.calls == ["sweep"] and "1 job(s)" in caplog.text


async def test_the_alerts_timer_polls_graph(fake):
    await poll_security_alerts(TIMER)
    assert fake.calls == ["poll_security_alerts"]


async def test_poison_messages_are_reported(fake, caplog):
    fake.poison = [{"id": "p1", "body": {"kind": "run", "jobId": "j9"}, "dequeueCount": 5}]
    with caplog.at_level(logging.ERROR):
        await report_poison_messages(TIMER)
    assert "j9" in caplog.text


async def test_a_failing_sweep_raises(fake):
    fake.failure = TransientError("Exchange answered 500")
    with pytest.raises(TransientError, match="^Exchange answered 500$"):
        await sweep_blocked_senders(TIMER)
