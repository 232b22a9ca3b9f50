"""host.json: the parts the local host follows (HTTP route prefix, queue trigger options,
singleton listener locks, function timeout, log levels), with the Functions host's defaults.

Keys are matched case-insensitively, as the host's configuration system does.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from localdev.host.errors import HostError

# Flex Consumption's default; the host has no limit on dedicated plans.
DEFAULT_FUNCTION_TIMEOUT = 30 * 60.0
_TIMESPAN = re.compile(r"^(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")
_LOG_LEVELS = {"trace": logging.DEBUG, "debug": logging.DEBUG, "information": logging.INFO,
               "warning": logging.WARNING, "error": logging.ERROR, "critical": logging.CRITICAL,
               "none": logging.CRITICAL + 10}


def parse_timespan(value: Any, what: str) -> float:
    """Seconds from a .NET TimeSpan ("[d.]hh:mm:ss[.fff]") or, as older host.json files do, milliseconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value / 1000.0
    match = _TIMESPAN.match(str(value).strip())
    if not match:
        raise HostError(f"host.json: {what} must be a time span like 00:05:00, not {value!r}")
    days, hours, minutes, seconds = match.groups()
    return int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _lower_keys(value: Mapping[str, Any]) -> dict[str, Any]:
    return {str(key).lower(): item for key, item in value.items()}


def _section(data: Mapping[str, Any], *path: str) -> dict[str, Any]:
    """A nested object of host.json found by case-insensitive keys (empty when absent)."""
    for key in path:
        data = _lower_keys(data).get(key) or {}
    return dict(data)


def _span(data: Mapping[str, Any], key: str, default: str, what: str) -> float:
    return parse_timespan(data.get(key.lower(), default), what)


@dataclass(frozen=True)
class QueueOptions:
    """extensions.queues, as the Storage Queues extension (v5) reads it; base64 is the only encoding."""
    max_dequeue_count: int = 5
    visibility_timeout: float = 0.0
    batch_size: int = 16
    new_batch_threshold_setting: int | None = None
    max_polling_interval: float = 60.0

    @property
    def new_batch_threshold(self) -> int:
        # The host's default is batchSize/2 per processor; one processor, as on Consumption.
        if self.new_batch_threshold_setting is None:
            return self.batch_size // 2
        return self.new_batch_threshold_setting

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "QueueOptions":
        data = _lower_keys(data)
        threshold = data.get("newbatchthreshold")
        options = cls(
            max_dequeue_count=int(data.get("maxdequeuecount", 5)),
            visibility_timeout=_span(data, "visibilityTimeout", "00:00:00", "visibilityTimeout"),
            batch_size=int(data.get("batchsize", 16)),
            new_batch_threshold_setting=None if threshold is None else int(threshold),
            max_polling_interval=_span(data, "maxPollingInterval", "00:01:00", "maxPollingInterval"))
        if not 1 <= options.batch_size <= 32:
            raise HostError("host.json: extensions.queues.batchSize must be between 1 and 32")
        if options.max_dequeue_count < 1:
            raise HostError("host.json: extensions.queues.maxDequeueCount must be at least 1")
        if options.new_batch_threshold < 0:
            raise HostError("host.json: extensions.queues.newBatchThreshold must not be negative")
        if options.max_polling_interval < 0.1:
            raise HostError("host.json: extensions.queues.maxPollingInterval must be at least 00:00:00.100")
        if str(data.get("messageencoding", "base64")).lower() != "base64":
            raise HostError("host.json: extensions.queues.messageEncoding: the local host reads base64 only")
        return options


@dataclass(frozen=True)
class SingletonOptions:
    """`singleton`: the listener lock a timer holds so that one host of the app runs it."""
    listener_lock_period: float = 60.0
    listener_lock_recovery_polling_interval: float = 60.0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "SingletonOptions":
        data = _lower_keys(data)
        options = cls(
            listener_lock_period=_span(data, "listenerLockPeriod", "00:01:00", "listenerLockPeriod"),
            listener_lock_recovery_polling_interval=_span(
                data, "listenerLockRecoveryPollingInterval", "00:01:00", "listenerLockRecoveryPollingInterval"))
        # A blob lease lasts 15 to 60 seconds.
        if not 15 <= options.listener_lock_period <= 60:
            raise HostError("host.json: singleton.listenerLockPeriod must be between 00:00:15 and 00:01:00")
        if options.listener_lock_recovery_polling_interval < 0.1:
            raise HostError("host.json: singleton.listenerLockRecoveryPollingInterval must be at least 00:00:00.100")
        return options


@dataclass(frozen=True)
class HostConfig:
    route_prefix: str = "api"
    queues: QueueOptions = field(default_factory=QueueOptions)
    singleton: SingletonOptions = field(default_factory=SingletonOptions)
    function_timeout: float | None = DEFAULT_FUNCTION_TIMEOUT
    log_levels: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "HostConfig":
        prefix = _lower_keys(_section(data, "extensions", "http")).get("routeprefix", "api")
        timeout = _lower_keys(data).get("functiontimeout", "00:30:00")
        levels = {}
        for category, level in _section(data, "logging", "loglevel").items():
            if str(level).lower() not in _LOG_LEVELS:
                raise HostError(f"host.json: unknown log level {level!r} for {category!r}")
            levels[category] = _LOG_LEVELS[str(level).lower()]
        return cls(route_prefix=str(prefix).strip("/"),
                   queues=QueueOptions.from_dict(_section(data, "extensions", "queues")),
                   singleton=SingletonOptions.from_dict(_section(data, "singleton")),
                   function_timeout=None if timeout in (None, "-1", -1) else parse_timespan(timeout, "functionTimeout"),
                   log_levels=levels)

    @classmethod
    def load(cls, path: Path) -> "HostConfig":
        """host.json from the app's folder; its absence means every default."""
        if not path.exists():
            return cls()
        try:
            return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except json.JSONDecodeError as exc:
            raise HostError(f"{path}: not valid JSON ({exc})") from None
