"""The Storage Queues extension's delay strategies, with the randomisation pinned."""

from __future__ import annotations

import pytest

from localdev.host.backoff import PollingBackoff, RenewalSpeedup


def test_an_idle_queue_is_polled_ever_less_often_up_to_the_maximum():
    backoff = PollingBackoff(2.0, jitter=lambda low, high: 1.0)
    delays = [backoff.next_delay(found_messages=False) for _ in range(9)]
    assert delays == pytest.approx([0.1, 0.2, 0.3, 0.5, 0.9, 1.7, 2.0, 2.0, 2.0])


def test_a_poll_that_found_messages_starts_again_from_100_ms():
    backoff = PollingBackoff(60.0, jitter=lambda low, high: 1.0)
    for _ in range(5):
        backoff.next_delay(found_messages=False)
    assert backoff.next_delay(found_messages=True) == pytest.approx(0.1)
    assert backoff.next_delay(found_messages=False) == pytest.approx(0.2)


def test_each_step_is_randomised_by_up_to_20_percent():
    bounds = []
    backoff = PollingBackoff(60.0, jitter=lambda low, high: bounds.append((low, high)) or high)
    delays = [backoff.next_delay(found_messages=False) for _ in range(3)]
    assert bounds == [(0.8, 1.2), (0.8, 1.2)]
    assert delays == pytest.approx([0.1, 0.1 + 1.2 * 0.1, 0.1 + 1.2 * 0.2])


def test_a_failed_renewal_is_retried_sooner_but_not_under_the_minimum():
    speedup = RenewalSpeedup(300.0, 60.0)
    assert [speedup.next_delay(succeeded=flag) for flag in (True, False, False, False, False, True)] == [
        300.0, 150.0, 75.0, 60.0, 60.0, 300.0]
