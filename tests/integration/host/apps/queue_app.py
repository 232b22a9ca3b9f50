"""A test app of queue functions. A message is JSON telling the function what to do:
`{"fail_until": n}` raises until the dequeue count reaches n, `{"sleep": s}` takes s seconds.
"""

from __future__ import annotations

import asyncio
import json
import time

import azure.functions as func

from tests.integration.host.support import Calls


def build(calls: Calls) -> func.FunctionApp:
    app = func.FunctionApp()

    @app.queue_trigger(arg_name="msg", queue_name="%WORK_QUEUE%", connection="AzureWebJobsStorage")
    @app.queue_output(arg_name="done", queue_name="%DONE_QUEUE%", connection="AzureWebJobsStorage")
    async def worker(msg: func.QueueMessage, done: func.Out[str]) -> None:
        order = msg.get_json()
        calls.add(id=msg.id, dequeue_count=msg.dequeue_count, body=msg.get_body(), inserted=msg.insertion_time,
                  expires=msg.expiration_time, pop_receipt=msg.pop_receipt, started=time.monotonic())
        await asyncio.sleep(order.get("sleep", 0))
        if msg.dequeue_count < order.get("fail_until", 0):
            raise RuntimeError(f"failing attempt {msg.dequeue_count}")
        calls.add(finished=msg.id)
        done.set(json.dumps({"handled": order}))

    return app


def build_sync_text(calls: Calls) -> func.FunctionApp:
    """A plain `def` whose trigger parameter is a str, as the worker allows."""
    app = func.FunctionApp()

    @app.queue_trigger(arg_name="text", queue_name="%WORK_QUEUE%", connection="AzureWebJobsStorage")
    def text_worker(text: str) -> None:
        calls.add(text=text)

    return app
