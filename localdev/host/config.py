"""host.json: the parts the local host follows (HTTP route prefix, queue trigger options,
function timeout, log levels), with the Functions host's defaults.

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

# Core Tools run on a developer's machine, so the local host polls an idle queue at most every
# 2 s unless host.json says otherwise (the host's own default is 1 minute).
LOCAL_MAX_POLLING_INTERVAL = 2.0
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


@dataclass(frozen=True)
class QueueOptions:
    """extensions.queues, as the Storage Queues extension (v5) reads it."""
    max_dequeue_count: int = 5
    visibility_timeout: float = 0.0
    batch_size: int = 16
    new_batch_threshold_setting: int | None = None
    max_polling_interval: float = LOCAL_MAX_POLLING_INTERVAL
    message_encoding: str = "base64"

    @property
    def new_batch_threshold(self) -> int:
        # The host's default is batchSize/2 per processor; one processor, as on Consumption.
        if self.new_batch_threshold_setting is None:
            return self.batch_size // 2
        return self.new_batch_threshold_setting

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "QueueOptions":
        data = _lower_keys(data)
        options = cls(
            max_dequeue_count=int(data.get("maxdequeuecount", 5)),
            visibility_timeout=parse_timespan(data.get("visibilitytimeout", "00:00:00"), "visibilityTimeout"),
            batch_size=int(data.get("batchsize", 16)),
            new_batch_threshold_setting=(int(data["newbatchthreshold"]) if "newbatchthreshold" in data else None),
            max_polling_interval=(parse_timespan(data["maxpollinginterval"], "maxPollingInterval")
                                  if "maxpollinginterval" in data else LOCAL_MAX_POLLING_INTERVAL),
            message_encoding=str(data.get("messageencoding", "base64")).lower())
        if not 1 <= options.batch_size <= 32:
            raise HostError("host.json: extensions.queues.batchSize must be between 1 and 32")
        if options.max_dequeue_count < 1:
            raise HostError("host.json: extensions.queues.maxDequeueCount must be at least 1")
        if options.new_batch_threshold < 0:
            raise HostError("host.json: extensions.queues.newBatchThreshold must not be negative")
        if options.max_polling_interval < 0.1:
            raise HostError("host.json: extensions.queues.maxPollingInterval must be at least 00:00:00.100")
        if options.message_encoding not in ("base64", "none"):
            raise HostError("host.json: extensions.queues.messageEncoding must be base64 or none")
        return options


@dataclass(frozen=True)
class HostConfig:
    route_prefix: str = "api"
    queues: QueueOptions = field(default_factory=QueueOptions)
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
