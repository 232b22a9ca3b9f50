"""Polling with a deadline, for tests: never sleep-and-hope, wait for the thing itself."""

from __future__ import annotations

import asyncio
import inspect
import time
from typing import Any, Callable


def wait_for(probe: Callable[[], Any], timeout: float, what: Callable[[], str] | str, interval: float = 0.1) -> Any:
    """The first truthy result of `probe()`, polled until `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what() if callable(what) else what}")
        time.sleep(interval)


async def eventually(condition: Callable[[], Any], timeout: float = 10.0, what: str = "the condition") -> Any:
    """The first truthy result of `condition` (a function or coroutine function), polled until `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.05)
