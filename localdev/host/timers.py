"""The timer trigger: six-field NCRONTAB schedules (seconds first), in UTC, one run at a
time per timer, and, through the singleton listener lock (singleton.py), on one host of the
app at a time. Like the host, an occurrence missed while a run was still going is skipped,
and the next run is marked past due.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Awaitable, Callable

from azure.functions.timer import TimerRequest
from croniter import croniter

from localdev.host.errors import HostError
from localdev.host.indexer import IndexedFunction
from localdev.host.invoker import Invoker
from localdev.host.singleton import ListenerLock

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Schedule:
    def __init__(self, expression: str) -> None:
        # croniter also takes five fields; NCRONTAB in Functions wants exactly six.
        if len(expression.split()) != 6 or not croniter.is_valid(expression, second_at_beginning=True):
            raise HostError(f"'{expression}' is not a six-field NCRONTAB expression "
                            "({second} {minute} {hour} {day} {month} {day-of-week})")
        self.expression = expression

    def next_after(self, moment: datetime) -> datetime:
        return croniter(self.expression, moment, second_at_beginning=True).get_next(datetime)

    def is_past_due(self, scheduled: datetime, now: datetime) -> bool:
        """True when the run starts after the occurrence that follows its own: at least one was missed."""
        return now >= self.next_after(scheduled)


class TimerRunner:
    def __init__(self, function: IndexedFunction, invoker: Invoker, lock: ListenerLock | None, *,
                 clock: Clock = utc_now, sleep: Sleep = asyncio.sleep) -> None:
        self.function = function
        self.schedule = Schedule(function.trigger.get("schedule"))
        self._invoker = invoker
        self._lock = lock
        self._clock = clock
        self._sleep = sleep
        self._running: asyncio.Task | None = None

    async def run(self) -> None:
        if self._lock is None:
            await self.follow_schedule()
        else:
            await self._lock.hold_while(self.follow_schedule)

    async def follow_schedule(self) -> None:
        scheduled = self.schedule.next_after(self._clock())
        while True:
            await self._sleep(max(0.0, (scheduled - self._clock()).total_seconds()))
            now = self._clock()
            if now < scheduled:  # the event loop's clock woke a little early
                continue
            await self._fire(scheduled, past_due=self.schedule.is_past_due(scheduled, now))
            scheduled = self.schedule.next_after(max(scheduled, self._clock()))

    async def drain(self, grace: float) -> None:
        """Let a running invocation finish for up to `grace` seconds, then cancel it."""
        running = self._running
        if running and not running.done():
            await asyncio.wait([running], timeout=grace)
            running.cancel()
            await asyncio.wait([running])

    async def _fire(self, scheduled: datetime, *, past_due: bool) -> None:
        status = {"Last": scheduled.isoformat(), "Next": self.schedule.next_after(scheduled).isoformat(),
                  "LastUpdated": self._clock().isoformat()}
        request = TimerRequest(past_due=past_due, schedule_status=status, schedule={"AdjustForDST": True})
        # A separate task, so stopping the schedule does not cut a run short (drain decides that).
        self._running = asyncio.create_task(self._invoker.invoke(
            self.function, request, reason=f"Timer fired at {scheduled.isoformat()}"))
        # The invoker logged any failure; taking it here keeps asyncio from reporting it again.
        self._running.add_done_callback(lambda task: task.cancelled() or task.exception())
        try:
            await asyncio.shield(self._running)
        except Exception:  # the invoker logged it; a failed run does not stop the schedule
            pass
