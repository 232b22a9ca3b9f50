"""A test app of one queue function. A message is JSON telling the function what to do:
`{"fail_until": n}` raises until the dequeue count reaches n, `{"sleep": s}` takes s seconds,
`{"hold": true}` runs until the test sets `calls.release`.
"""

from __future__ import annotations

import asyncio
import time

import azure.functions as func

from tests.integration.host.support import Calls


def build(calls: Calls) -> func.FunctionApp:
    app = func.FunctionApp()

    @app.queue_trigger(arg_name="msg", queue_name="%WORK_QUEUE%", connection="AzureWebJobsStorage")
    async def worker(msg: func.QueueMessage) -> None:
        order = msg.get_json()
        calls.add(id=msg.id, dequeue_count=msg.dequeue_count, body=msg.get_body(), inserted=msg.insertion_time,
                  expires=msg.expiration_time, pop_receipt=msg.pop_receipt, next_visible=msg.time_next_visible,
                  started=time.monotonic())
        await asyncio.sleep(order.get("sleep", 0))
        if order.get("hold"):
            await calls.release.wait()
        if msg.dequeue_count < order.get("fail_until", 0):
            raise RuntimeError(f"failing attempt {msg.dequeue_count}")
        calls.add(finished=msg.id)

    return app
