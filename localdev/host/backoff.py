"""The delay strategies of the Storage Queues extension: the polling back-off of an idle
queue and the speed-up of a lease renewal that failed.
"""

from __future__ import annotations

import random
from typing import Callable

MIN_POLLING_INTERVAL = 0.1
# Each step of the back-off is randomised by up to ±20 %, so idle hosts do not poll in step.
RANDOMIZATION = 0.2


class PollingBackoff:
    """RandomizedExponentialBackoffStrategy: after an empty poll, wait 100 ms, then about
    100 ms more than before times 2^n (200, 300, 500, 900 ms, ...), up to `maximum`, where it
    stays; a poll that found messages starts again from 100 ms.
    """

    def __init__(self, maximum: float, *, jitter: Callable[[float, float], float] = random.uniform) -> None:
        self._maximum = max(maximum, MIN_POLLING_INTERVAL)
        self._jitter = jitter
        self._current = 0.0
        self._exponent = 0

    def next_delay(self, found_messages: bool) -> float:
        if found_messages:
            self._current, self._exponent = MIN_POLLING_INTERVAL, 1
        elif self._current != self._maximum:
            delay = MIN_POLLING_INTERVAL
            if self._exponent > 0:
                factor = self._jitter(1 - RANDOMIZATION, 1 + RANDOMIZATION)
                delay += factor * 2 ** (self._exponent - 1) * MIN_POLLING_INTERVAL
            if delay < self._maximum:
                self._current, self._exponent = delay, self._exponent + 1
            else:
                self._current = self._maximum
        return self._current


class RenewalSpeedup:
    """LinearSpeedupStrategy: renew every `normal` seconds; after a failure try again sooner
    (half the last interval, not under `minimum`).
    """

    def __init__(self, normal: float, minimum: float) -> None:
        self._normal = normal
        self._minimum = min(minimum, normal)
        self._current = normal

    def next_delay(self, succeeded: bool) -> float:
        self._current = self._normal if succeeded else max(self._current / 2, self._minimum)
        return self._current
