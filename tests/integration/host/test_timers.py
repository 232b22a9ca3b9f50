"""Timer triggers through the local host: NCRONTAB schedules from settings, startup runs, no overlap."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from azure.functions.timer import TimerRequest

from localdev.host import HostError
from localdev.host.timers import Schedule
from tests.integration.host.apps import timer_app
from tests.integration.host.support import Calls
from tests.polling import eventually

EVERY_SECOND = {"TICK_SCHEDULE": "*/1 * * * * *"}


def named(calls: Calls, name: str) -> list[dict]:
    return [call for call in calls.items if call["name"] == name]


async def test_a_timer_fires_on_the_schedule_its_setting_names(local_host):
    calls = Calls()
    await local_host(timer_app.build(calls), EVERY_SECOND)
    ticks = await eventually(lambda: len(named(calls, "tick")) >= 3 and named(calls, "tick"), 6, "three ticks")
    assert all(tick["type"] is TimerRequest and tick["past_due"] is False for tick in ticks)
    last, following = (datetime.fromisoformat(ticks[0]["status"][key]) for key in ("Last", "Next"))
    assert following - last == timedelta(seconds=1) and last.microsecond == 0
    assert 0.8 <= ticks[2]["at"] - ticks[1]["at"] <= 1.5


async def test_a_timer_slower_than_its_schedule_never_overlaps_itself(local_host):
    calls = Calls()
    await local_host(timer_app.build(calls), EVERY_SECOND)

    def runs() -> tuple[list[float], list[float]] | None:
        starts = [run["started"] for run in named(calls, "slow") if "started" in run]
        ends = [run["finished"] for run in named(calls, "slow") if "finished" in run]
        return (starts, ends) if len(starts) >= 2 and ends else None

    starts, ends = await eventually(runs, 6, "a second run of the slow timer")
    assert ends[0] <= starts[1]


async def test_run_on_startup_runs_once_at_start(local_host):
    calls = Calls()
    await local_host(timer_app.build(calls), EVERY_SECOND)
    await eventually(lambda: named(calls, "on_startup"), 3, "the startup run")
    await eventually(lambda: len(named(calls, "tick")) >= 2, 4, "two ticks")
    assert len(named(calls, "on_startup")) == 1


async def test_an_unset_schedule_setting_stops_the_host_with_its_name(local_host):
    with pytest.raises(HostError, match="TICK_SCHEDULE"):
        await local_host(timer_app.build(Calls()), {})


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
