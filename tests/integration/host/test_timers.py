"""Timer triggers: NCRONTAB schedules from settings, on a clock the test drives, and one run
per occurrence across hosts of one app (the singleton listener lock, against Azurite)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from azure.functions.timer import TimerRequest

from localdev.host import HostError
from localdev.host.indexer import index
from localdev.host.singleton import HOST_ID_SETTING
from localdev.host.timers import Schedule, TimerRunner
from tests.integration.host.apps import timer_app
from tests.integration.host.support import Calls
from tests.polling import eventually

EVERY_SECOND = {"TICK_SCHEDULE": "*/1 * * * * *"}
START = datetime(2025, 1, 1, 10, 0, 0, 500000, tzinfo=timezone.utc)
QUICK_RECOVERY = {"singleton": {"listenerLockRecoveryPollingInterval": "00:00:00.200"}}


class FakeTime:
    """A clock that moves only when the runner sleeps (by `late` more than asked, when set) or a run takes time."""

    def __init__(self) -> None:
        self.now = START
        self.late = timedelta(0)

    def clock(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds) + self.late
        self.late = timedelta(0)
        await asyncio.sleep(0)


class RecordingInvoker:
    """Records each run's occurrence and past-due flag; a run takes `run_seconds` of fake time."""

    def __init__(self, time: FakeTime, run_seconds: float = 0.0) -> None:
        self.time = time
        self.run_seconds = run_seconds
        self.runs: list[tuple[str, bool]] = []

    async def invoke(self, function, request: TimerRequest, *, reason: str) -> None:
        self.runs.append((request.schedule_status["Last"], request.past_due))
        self.time.now += timedelta(seconds=self.run_seconds)


async def follow(time: FakeTime, invoker: RecordingInvoker, runs: int) -> list[tuple[str, bool]]:
    function = next(f for f in index(timer_app.build(Calls()), EVERY_SECOND) if f.name == "tick")
    runner = TimerRunner(function, invoker, None, clock=time.clock, sleep=time.sleep)
    following = asyncio.create_task(runner.follow_schedule())
    await eventually(lambda: len(invoker.runs) >= runs, 5, f"{runs} runs")
    following.cancel()
    return invoker.runs[:runs]


def at(seconds: int) -> str:
    return (START.replace(microsecond=0) + timedelta(seconds=seconds)).isoformat()


async def test_a_timer_runs_at_each_occurrence_of_its_schedule():
    time = FakeTime()
    assert await follow(time, RecordingInvoker(time), 3) == [(at(1), False), (at(2), False), (at(3), False)]


async def test_occurrences_missed_while_a_run_was_going_are_skipped_not_run_late():
    time = FakeTime()
    assert await follow(time, RecordingInvoker(time, run_seconds=2.5), 3) == [
        (at(1), False), (at(4), False), (at(7), False)]


async def test_a_run_that_starts_after_the_next_occurrence_is_past_due():
    time = FakeTime()
    time.late = timedelta(seconds=1.5)  # the host was busy: the first wake-up comes late
    runs = await follow(time, RecordingInvoker(time), 2)
    assert runs == [(at(1), True), (at(3), False)]


async def test_a_timer_fires_through_the_host_with_the_schedule_its_setting_names(local_host, storage_env):
    calls = Calls()
    await local_host(timer_app.build(calls), {**storage_env, **EVERY_SECOND})
    ticks = await eventually(lambda: [c for c in calls.items if c["name"] == "tick"][:2], 10, "two ticks")
    assert all(tick["type"] is TimerRequest and tick["past_due"] is False for tick in ticks)
    last, following = (datetime.fromisoformat(ticks[0]["status"][key]) for key in ("Last", "Next"))
    assert following - last == timedelta(seconds=1) and last.microsecond == 0


async def test_two_hosts_of_one_app_run_each_occurrence_once_and_the_other_takes_over(local_host, storage_env,
                                                                                     unique_name):
    settings = {**storage_env, **EVERY_SECOND, HOST_ID_SETTING: unique_name}
    first_calls, second_calls = Calls(), Calls()
    first = await local_host(timer_app.build(first_calls), settings, QUICK_RECOVERY)
    await eventually(lambda: first_calls.items, 10, "the first host's first tick")
    await local_host(timer_app.build(second_calls), settings, QUICK_RECOVERY)
    await eventually(lambda: len(first_calls.items) >= 6, 10, "more ticks of the first host")
    assert second_calls.items == []

    await first.stop()  # releases its locks: the second host takes them on its next try
    ticks = await eventually(lambda: [c for c in second_calls.items if c["name"] == "tick"][:2], 10,
                             "the second host's ticks")
    first_ticks = {c["status"]["Last"] for c in first_calls.items if c["name"] == "tick"}
    assert not first_ticks & {tick["status"]["Last"] for tick in ticks}


async def test_a_timer_needs_the_hosts_storage_for_its_lock(local_host):
    with pytest.raises(HostError, match="function 'tick': the storage connection 'AzureWebJobsStorage' is not set"):
        await local_host(timer_app.build(Calls()), EVERY_SECOND)


async def test_an_unset_schedule_setting_stops_the_host_with_its_name(local_host, storage_env):
    with pytest.raises(HostError, match="TICK_SCHEDULE"):
        await local_host(timer_app.build(Calls()), storage_env)


@pytest.mark.parametrize("expression", ["*/5 * * * *", "every minute", "0 99 * * * *"])
def test_only_six_field_ncrontab_expressions_are_accepted(expression):
    with pytest.raises(HostError, match="six-field NCRONTAB"):
        Schedule(expression)


def test_a_run_is_past_due_only_when_a_later_occurrence_was_missed():
    schedule = Schedule("0 */5 * * * *")
    due = datetime(2025, 1, 1, 10, 5, tzinfo=timezone.utc)
    assert schedule.next_after(due - timedelta(seconds=1)) == due
    assert not schedule.is_past_due(due, due + timedelta(minutes=4))
    assert schedule.is_past_due(due, due + timedelta(minutes=5))
