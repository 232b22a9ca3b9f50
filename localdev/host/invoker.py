"""Calls a user function the way the Python worker does: the trigger value and an `Out`
object per output binding as arguments (plus `context` when asked for), coroutines awaited,
plain functions run on a thread, host.json's functionTimeout enforced; then the outputs.
Logs the host's "Executing"/"Executed" lines around each call.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

import azure.functions as func

from localdev.host.indexer import Binding, IndexedFunction

OutputSender = Callable[[Binding, Any], Awaitable[None]]


class FunctionTimeout(Exception):
    """The function ran longer than host.json's functionTimeout."""


class _Out(func.Out):
    def __init__(self) -> None:
        self._value: Any = None

    def set(self, val: Any) -> None:
        self._value = val

    def get(self) -> Any:
        return self._value


class _Context(func.Context):
    """The invocation context a function gets when it has a `context` parameter."""

    def __init__(self, invocation_id: str, function_name: str) -> None:
        self._invocation_id = invocation_id
        self._function_name = function_name
        self._local = threading.local()

    @property
    def invocation_id(self) -> str:
        return self._invocation_id

    @property
    def function_name(self) -> str:
        return self._function_name

    @property
    def function_directory(self) -> str:
        return "."

    @property
    def thread_local_storage(self) -> threading.local:
        return self._local

    @property
    def trace_context(self) -> None:
        return None

    @property
    def retry_context(self) -> None:
        return None


@dataclass(frozen=True)
class Outcome:
    """What a successful call produced: each output binding's value, by binding name."""
    values: dict[str, Any]


def _in_daemon_thread(target: Callable[..., Any], kwargs: dict[str, Any]) -> asyncio.Future:
    """Run a sync function on its own daemon thread, so one that never returns cannot hold up shutdown."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()
    context = contextvars.copy_context()

    def settle(result: Any, error: BaseException | None) -> None:
        if not future.done():
            future.set_exception(error) if error else future.set_result(result)

    def run() -> None:
        try:
            outcome: tuple[Any, BaseException | None] = (context.run(target, **kwargs), None)
        except BaseException as error:  # handed to the awaiting coroutine, which decides
            outcome = (None, error)
        try:
            loop.call_soon_threadsafe(settle, *outcome)
        except RuntimeError:  # the loop closed while the function ran: no one is waiting
            pass

    threading.Thread(target=run, name=f"function-{target.__name__}", daemon=True).start()
    return future


class Invoker:
    def __init__(self, *, timeout: float | None, send_output: OutputSender) -> None:
        self._timeout = timeout
        self._send_output = send_output

    async def invoke(self, function: IndexedFunction, trigger_value: Any, *, reason: str,
                     details: str | None = None) -> Outcome:
        invocation_id = str(uuid.uuid4())
        logger = logging.getLogger(f"Function.{function.name}")
        logger.info("Executing 'Functions.%s' (Reason='%s', Id=%s)", function.name, reason, invocation_id)
        if details:
            logger.info("Trigger Details: %s", details)
        started = time.monotonic()
        try:
            outcome = await self._call(function, trigger_value, invocation_id)
        except BaseException as error:
            duration = round((time.monotonic() - started) * 1000)
            logger.error("Executed 'Functions.%s' (Failed, Id=%s, Duration=%dms)", function.name, invocation_id,
                         duration, exc_info=not isinstance(error, asyncio.CancelledError))
            raise
        duration = round((time.monotonic() - started) * 1000)
        logger.info("Executed 'Functions.%s' (Succeeded, Id=%s, Duration=%dms)", function.name, invocation_id, duration)
        return outcome

    async def _call(self, function: IndexedFunction, trigger_value: Any, invocation_id: str) -> Outcome:
        outs = {binding.name: _Out() for binding in function.outputs if binding.name != "$return"}
        kwargs: dict[str, Any] = {function.trigger.name: trigger_value, **outs}
        if function.wants_context:
            kwargs["context"] = _Context(invocation_id=invocation_id, function_name=function.name)
        call = (function.user_function(**kwargs) if function.is_async
                else _in_daemon_thread(function.user_function, kwargs))
        try:
            returned = await asyncio.wait_for(call, self._timeout)
        except asyncio.TimeoutError:
            raise FunctionTimeout(f"Timeout value of {self._timeout:g}s exceeded by function "
                                  f"'Functions.{function.name}' (Id: '{invocation_id}')") from None
        values = {name: out.get() for name, out in outs.items()} | {"$return": returned}
        # Outputs are written only when the function succeeded, as the host flushes them.
        for binding in function.outputs:
            if binding.type == "queue" and values.get(binding.name) is not None:
                await self._send_output(binding, values[binding.name])
        return Outcome(values=values)
