"""Graph's request routing, independent of aiohttp, so `$batch` items run the same routes as
standalone requests.

A route is a method, a path template (`/users/{user}/revokeSignInSessions`; literal segments
match case-insensitively, as Graph's do) and the application permission it needs. An unknown
segment is Graph's 400 "Resource not found for the segment"; a known path with another method
is 405; a permission the scenario withholds is 403.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Mapping
from urllib.parse import unquote

from localdev.tenant import odata
from localdev.tenant.state import TenantState


@dataclass
class GraphCall:
    method: str
    path: str                     # below /v1.0, decoded: "/users/adele@contoso.com"
    query: dict[str, str]
    body: Any
    malformed: bool
    headers: Mapping[str, str]
    base: str                     # our root URL, for @odata.context and nextLinks
    ids: odata.RequestIds
    state: TenantState

    def json(self) -> Any:
        if self.malformed:
            raise odata.malformed_json()
        return self.body


@dataclass
class GraphReply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[..., "GraphReply | Awaitable[GraphReply]"]


@dataclass
class Route:
    method: str
    template: str
    handler: Handler
    permission: str | None = None     # None: the handler checks (PATCH /users depends on the body)

    @property
    def segments(self) -> list[str]:
        return split(self.template)

    def match(self, segments: list[str]) -> tuple[int, dict[str, str] | None]:
        """How many leading segments match, and the parameters when all of them do."""
        mine, params = self.segments, {}
        for index, (want, got) in enumerate(zip(mine, segments)):
            if want.startswith("{"):
                params[want[1:-1]] = got
            elif want.lower() != got.lower():
                return index, None
        matched = min(len(mine), len(segments))
        return matched, params if len(mine) == len(segments) else None


def split(path: str) -> list[str]:
    """Segments of a still-encoded path, each decoded (a rule id may hold an encoded '/')."""
    return [unquote(segment) for segment in path.split("/") if segment]


class Router:
    def __init__(self, routes: list[Route]) -> None:
        self.routes = routes

    def resolve(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        segments = split(path)
        if segments and segments[0].lower() == "me":
            raise odata.bad_request("/me request is only valid with delegated authentication flow.")
        deepest, allowed = 0, False
        for route in self.routes:
            matched, params = route.match(segments)
            if params is not None:
                if route.method == method.upper():
                    return route, params
                allowed = True
            deepest = max(deepest, matched)
        if allowed:
            raise odata.method_not_allowed()
        raise odata.segment_not_found(segments[min(deepest, len(segments) - 1)] if segments else "")

    async def dispatch(self, call: GraphCall) -> GraphReply:
        try:
            route, params = self.resolve(call.method, call.path)
            if route.permission in call.state.withheld:
                raise odata.forbidden()
            reply = route.handler(call, **params)
            if inspect.isawaitable(reply):
                reply = await reply
        except odata.GraphError as error:
            reply = GraphReply(error.status, odata.error_body(error.code, error.message, call.ids), error.headers)
        reply.headers = {**call.ids.headers(), **reply.headers}
        if reply.body is not None:
            reply.headers.setdefault("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;"
                                                     "IEEE754Compatible=false;charset=utf-8")
        return reply


def require_permission(call: GraphCall, permission: str) -> None:
    if permission in call.state.withheld:
        raise odata.forbidden()


def permissions(routes: list[Route], extra: Mapping[str, str]) -> dict[str, str]:
    """"METHOD /template" -> the application permission it needs."""
    table = {f"{route.method} {route.template}": route.permission for route in routes if route.permission}
    return {**table, **extra}
