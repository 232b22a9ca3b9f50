"""The queue worker: one trigger for every message kind (`run`, `follow_up`, `fetch_content`).

A failure raises, so the host makes the message visible again; the domain marks the job
`failed` on the last attempt allowed by host.json, before the host moves it to the poison queue.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import azure.functions as func

from handlers.runtime import worker

bp = func.Blueprint()
HOST_JSON = Path(__file__).resolve().parent.parent / "host.json"
DEFAULT_MAX_DEQUEUE_COUNT = 5   # the Functions host's own default


@functools.cache
def max_dequeue_count(host_json: Path = HOST_JSON) -> int:
    """extensions.queues.maxDequeueCount of host.json (the host's default when absent)."""
    try:
        config = json.loads(host_json.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return DEFAULT_MAX_DEQUEUE_COUNT
    return int(config.get("extensions", {}).get("queues", {}).get("maxDequeueCount", DEFAULT_MAX_DEQUEUE_COUNT))


@bp.queue_trigger(arg_name="msg", queue_name="%REMEDIATION_QUEUE%", connection="AzureWebJobsStorage")
async def remediation_worker(msg: func.QueueMessage) -> None:
    await worker().handle(msg.get_json(), msg.dequeue_count, max_dequeue_count())
