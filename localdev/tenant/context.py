"""What every route module needs from a request: the tenant's state, the parsed body, our own root URL.

The middleware in app.py reads and parses a request's body once, before faults and handlers
run (a fault may match on the cmdlet named in an InvokeCommand body); handlers then call
`json_body(request)`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from localdev.tenant.odata import RequestIds
from localdev.tenant.state import TenantState

TENANT = web.AppKey("tenant", TenantState)
CONTROL_PREFIX = "/_sandbox/"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")   # Entra's token endpoint


class MalformedBody(ValueError):
    """The body is not valid JSON; each service answers this in its own words."""


@dataclass
class Incoming:
    ids: RequestIds
    json: Any = None
    malformed: bool = False


INCOMING = web.RequestKey("incoming", Incoming)


def state(request: web.Request) -> TenantState:
    return request.app[TENANT]


def base_url(request: web.Request) -> str:
    """The root URL the caller reached us on, for nextLinks, contentUris and OpenID metadata."""
    return f"{request.scheme}://{request.host}"


def is_control(path: str) -> bool:
    return path.startswith(CONTROL_PREFIX)


async def prepare(request: web.Request) -> Incoming:
    """Give the request Graph's ids and parse its JSON body once (None when empty or a form)."""
    incoming = request[INCOMING] = Incoming(RequestIds.from_headers(request.headers))
    raw = await request.read()
    if raw.strip() and request.content_type not in FORM_TYPES:
        try:
            incoming.json = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            incoming.malformed = True
    return incoming


def json_body(request: web.Request) -> Any:
    """The parsed JSON body (None when empty); MalformedBody when it is not JSON."""
    if request[INCOMING].malformed:
        raise MalformedBody("the request body is not valid JSON")
    return request[INCOMING].json


def redacted(value: Any) -> Any:
    """`value` with every password replaced: nothing the sandbox records may hold one."""
    if isinstance(value, dict):
        return {key: "[redacted]" if "password" in key.lower() and isinstance(item, str) else redacted(item)
                for key, item in value.items()}
    if isinstance(value, list):
        return [redacted(item) for item in value]
    return value


def log_call(tenant: TenantState, method: str, path: str, query: dict, status: int | None, body: Any,
             **extra: Any) -> None:
    """One entry of the request log (`GET /_sandbox/requests`), passwords redacted."""
    tenant.log_request({"method": method, "path": path, "query": query, "status": status,
                        "body": redacted(body), "cmdlet": cmdlet_name(body), **extra})


def cmdlet_name(body: Any) -> str | None:
    """The cmdlet of an Exchange InvokeCommand body, for faults and the request log."""
    if isinstance(body, dict) and isinstance(body.get("CmdletInput"), dict):
        name = body["CmdletInput"].get("CmdletName")
        return name if isinstance(name, str) else None
    return None
