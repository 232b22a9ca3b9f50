"""Calls a user function the way the Python worker calls an `async def` one: the trigger
value as its one argument, awaited on the host's event loop, host.json's functionTimeout
enforced. Logs the host's "Executing"/"Executed" lines around each call.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Any

from localdev.host.indexer import IndexedFunction


class FunctionTimeout(Exception):
    """The function ran longer than host.json's functionTimeout."""


class Invoker:
    def __init__(self, *, timeout: float | None) -> None:
        self._timeout = timeout

    async def invoke(self, function: IndexedFunction, trigger_value: Any, *, reason: str,
                     details: str | None = None) -> Any:
        """What the function returned; its exception (logged) when it failed."""
        invocation_id = str(uuid.uuid4())
        logger = logging.getLogger(f"Function.{function.name}")
        logger.info("Executing 'Functions.%s' (Reason='%s', Id=%s)", function.name, reason, invocation_id)
        if details:
            logger.info("Trigger Details: %s", details)
        started = time.monotonic()
        try:
            returned = await self._call(function, trigger_value, invocation_id)
        except BaseException as error:
            duration = round((time.monotonic() - started) * 1000)
            logger.error("Executed 'Functions.%s' (Failed, Id=%s, Duration=%dms)", function.name, invocation_id,
                         duration, exc_info=not isinstance(error, asyncio.CancelledError))
            raise
        duration = round((time.monotonic() - started) * 1000)
        logger.info("Executed 'Functions.%s' (Succeeded, Id=%s, Duration=%dms)", function.name, invocation_id, duration)
        return returned

    async def _call(self, function: IndexedFunction, trigger_value: Any, invocation_id: str) -> Any:
        call = function.user_function(**{function.trigger.name: trigger_value})
        try:
            return await asyncio.wait_for(call, self._timeout)
        except asyncio.TimeoutError:
            raise FunctionTimeout(f"Timeout value of {self._timeout:g}s exceeded by function "
                                  f"'Functions.{function.name}' (Id: '{invocation_id}')") from None
