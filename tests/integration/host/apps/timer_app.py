"""A test app of timers: one every second (its schedule from a setting) and one slower than
its schedule.
"""

from __future__ import annotations

import asyncio
import time

import azure.functions as func

from tests.integration.host.support import Calls


def build(calls: Calls) -> func.FunctionApp:
    app = func.FunctionApp()

    @app.timer_trigger(schedule="%TICK_SCHEDULE%", arg_name="timer")
    async def tick(timer: func.TimerRequest) -> None:
        calls.add(name="tick", past_due=timer.past_due, status=timer.schedule_status, type=type(timer))

    @app.timer_trigger(schedule="*/1 * * * * *", arg_name="timer")
    async def slow(timer: func.TimerRequest) -> None:
        calls.add(name="slow", started=time.monotonic())
        await asyncio.sleep(1.2)
        calls.add(name="slow", finished=time.monotonic())

    return app
