"""Log output like the Functions host's: `[UTC time] message`, levels per category from
host.json's `logging.logLevel` (a category is a logger name: `Function.<name>` carries the
"Executing"/"Executed" lines, `Host.*` the host's own).
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Mapping

# The Azure SDK logs every request and response at INFO; the app's own lines are what matter locally.
_QUIET = {"azure.core.pipeline.policies.http_logging_policy": logging.WARNING}


class _HostFormatter(logging.Formatter):
    converter = time.gmtime

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(record.created)) + f".{int(record.msecs):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        prefix = "" if record.levelno < logging.WARNING else f"{record.levelname}: "
        self._style._fmt = f"[%(asctime)s] {prefix}%(message)s"
        return super().format(record)


def configure(levels: Mapping[str, int]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_HostFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(levels.get("default", logging.INFO))
    for category, level in {**_QUIET, **levels}.items():
        if category != "default":
            logging.getLogger(category).setLevel(level)
