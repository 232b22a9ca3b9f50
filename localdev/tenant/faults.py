"""Faults the sandbox injects into its own routes: throttling, outages, slowness, dropped connections.

A fault is a dict, set in a scenario (`faults:`) or at run time (`POST /_sandbox/faults`):

    {"method": "POST"?, "path": "<regex searched in the path>"?, "cmdlet": "Remove-BlockedSenderAddress"?,
     "kind": "429" | "503" | "504" | "drop" | "latency" | "timeout" | "307" | "budget",
     "retryAfter": "2.128"?, "latencyMs": 200?, "location": "http://elsewhere/..."?, "count": 3?, "rate": 0.3?,
     "applied": true?, "limit": 25?, "windowSeconds": 1?}

`method`, `path` and `cmdlet` (the CmdletName of an Exchange InvokeCommand body) narrow what it
matches; a fault with `count` fires on the next N matching calls and is then removed; `rate`
fires with that probability (seeded RNG, so a scenario replays the same way); with neither it
fires on every matching call. `latency` waits and lets the call go on; `timeout` is a call whose
answer never comes: the service carries it out (unless `"applied": false`), holds the connection
`latencyMs` and closes it unanswered, what a client sees when its read timeout expires (the app's
own timeout is 30 s: a test holds the answer for less and the client sees the connection close);
`budget` is Graph's and Exchange's throttling: the matching calls of one app get `limit` calls per
fixed window of `windowSeconds`, and each call past it answers 429 with the whole seconds left in
the window as `Retry-After` (the sandbox serves one app, so one budget per fault); `307` redirects to `location`
(a hijacked or misrouted front end: a client must not re-send the body there); the others answer in
the shape of the service the path belongs to (Graph, also for Entra's routes; the Exchange admin
API; the Management API). The request log gives a delayed call's `latencyMs`.
Control routes (/_sandbox/) are never faulted.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import re
import time
from dataclasses import dataclass
from typing import NamedTuple

from localdev.tenant import odata
from localdev.tenant.state import TenantState

KINDS = ("429", "503", "504", "drop", "latency", "timeout", "307", "budget")
_FIELDS = {"id", "method", "path", "cmdlet", "kind", "retryAfter", "latencyMs", "location", "count", "rate", "applied",
           "limit", "windowSeconds"}
_ids = itertools.count(1)


class FaultSpecError(ValueError):
    pass


def validate(spec: dict) -> dict:
    """A normalised copy of one fault spec; FaultSpecError says what is wrong with it."""
    if not isinstance(spec, dict):
        raise FaultSpecError("a fault is a JSON object")
    unknown = set(spec) - _FIELDS
    if unknown:
        raise FaultSpecError(f"unknown fault fields: {', '.join(sorted(unknown))}")
    fault = dict(spec)
    fault["kind"] = str(fault.get("kind", ""))
    if fault["kind"] not in KINDS:
        raise FaultSpecError(f"fault kind must be one of {', '.join(KINDS)}")
    if "path" in fault:
        try:
            re.compile(fault["path"])
        except re.error as exc:
            raise FaultSpecError(f"fault path is not a valid regex: {exc}") from exc
    if "count" in fault and (not isinstance(fault["count"], int) or fault["count"] < 1):
        raise FaultSpecError("fault count must be a positive integer")
    if "rate" in fault and not (isinstance(fault["rate"], (int, float)) and 0 < fault["rate"] <= 1):
        raise FaultSpecError("fault rate must be a number in (0, 1]")
    if "retryAfter" in fault:
        fault["retryAfter"] = str(fault["retryAfter"])
    if fault["kind"] in ("latency", "timeout") and not isinstance(fault.get("latencyMs"), (int, float)):
        raise FaultSpecError(f"a {fault['kind']} fault needs latencyMs")
    if fault["kind"] == "budget" and not (isinstance(fault.get("limit"), int) and fault["limit"] > 0
                                          and isinstance(fault.get("windowSeconds"), (int, float))
                                          and fault["windowSeconds"] > 0):
        raise FaultSpecError("a budget fault needs a positive integer limit and a positive windowSeconds")
    if fault["kind"] == "307" and not isinstance(fault.get("location"), str):
        raise FaultSpecError("a 307 fault needs a location")
    fault.setdefault("id", f"fault-{next(_ids)}")
    return fault


def _matches(fault: dict, method: str, path: str, cmdlet: str | None) -> bool:
    if fault.get("method") and fault["method"].upper() != method.upper():
        return False
    if fault.get("path") and not re.search(fault["path"], path):
        return False
    if fault.get("cmdlet") and (cmdlet or "").lower() != fault["cmdlet"].lower():
        return False
    return True


def _over_budget(fault: dict) -> bool:
    """Count one call against the budget's current window; True past its limit (Retry-After set)."""
    now = time.monotonic()
    window = fault["windowSeconds"]
    if now - fault.setdefault("windowStart", now) >= window:
        fault["windowStart"], fault["used"] = now - (now - fault["windowStart"]) % window, 0
    fault["used"] = fault.get("used", 0) + 1
    fault["retryAfter"] = str(max(1, math.ceil(fault["windowStart"] + window - now)))
    return fault["used"] > fault["limit"]


def _fires(state: TenantState, fault: dict) -> bool:
    """Consume one use of the fault if it fires now."""
    if fault["kind"] == "budget":
        return _over_budget(fault)
    if "rate" in fault and state.rng.random() >= fault["rate"]:
        return False
    if "count" in fault:
        fault["count"] -= 1
        if fault["count"] <= 0:
            state.faults.remove(fault)
    return True


class Triggered(NamedTuple):
    fault: dict | None      # the fault that answers the call, if one does
    latency_ms: float = 0   # how long latency faults held the call

    def log(self) -> dict:
        """What the request log records of it (`latencyMs` when a latency fault fired)."""
        return {"latencyMs": self.latency_ms} if self.latency_ms else {}


async def triggered(state: TenantState, method: str, path: str, cmdlet: str | None = None) -> Triggered:
    """Wait out any latency faults for this call, then name the fault that answers it, if one does."""
    waited = 0
    for fault in [fault for fault in state.faults if _matches(fault, method, path, cmdlet)]:
        if not _fires(state, fault):
            continue
        if fault["kind"] != "latency":
            return Triggered(fault, waited)
        await asyncio.sleep(fault["latencyMs"] / 1000)
        waited += fault["latencyMs"]
    return Triggered(None, waited)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: dict


# Graph's 429 is the documented sample (below); the other texts are ours: no sample of them is public.
_GRAPH = {"503": ("serviceNotAvailable", "The service is temporarily unavailable. Please retry after a delay."),
          "504": ("gatewayTimeout", "The gateway did not receive a timely response from the upstream service.")}
_EXCHANGE = {"429": ("TooManyRequests", "The request was throttled; retry after the time in the Retry-After header."),
             "503": ("ServiceUnavailable", "The service is temporarily unavailable. Please retry later."),
             "504": ("GatewayTimeout", "The operation timed out. Please retry later.")}
_MANAGEMENT = {"429": ("AF429", "Too many requests. Method=GetBlob, PublisherId=00000000-0000-0000-0000-000000000000"),
               "503": ("AF50000", "An internal server error occurred. Retry the request."),
               "504": ("AF50000", "An internal server error occurred. Retry the request.")}


def reply(fault: dict, path: str, ids: odata.RequestIds) -> Reply:
    """The answer a throttled or failing service gives, in the shape of the service `path` belongs to."""
    kind = "429" if fault["kind"] == "budget" else fault["kind"]
    if kind == "307":
        return Reply(307, {"Location": fault["location"]}, {})
    headers = {"Retry-After": fault["retryAfter"]} if "retryAfter" in fault else {}
    if kind == "429" and not headers:
        headers["Retry-After"] = "1"
    if path.startswith("/adminapi/"):
        code, message = _EXCHANGE[kind]
        inner = {"message": message, "type": "Microsoft.Exchange.Admin.OData.Core.ODataServiceException"}
        body = {"error": {"code": code, "message": message, "innererror": inner}}
    elif path.startswith("/api/v1.0/"):
        code, message = _MANAGEMENT[kind]
        body = {"error": {"code": code, "message": message}}
    elif kind == "429":
        # Graph's documented throttling body (concepts/throttling.md).
        body = {"error": {"code": "TooManyRequests", "innerError": {
            "code": "429", "date": ids.date, "message": "Please retry after", "request-id": ids.request_id,
            "status": "429"}, "message": "Please retry again later."}}
    else:
        body = odata.error_body(*_GRAPH[kind], ids)
    return Reply(int(kind), headers, body)


class Dropped(Exception):
    """A `drop` or `timeout` fault fired: the server closes the connection without answering, after
    carrying the call out (`applied`, logged as such) or not."""

    def __init__(self, *, applied: bool = False) -> None:
        super().__init__("dropped")
        self.applied = applied
