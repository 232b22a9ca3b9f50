"""HTTP triggers on aiohttp: `/{routePrefix}/{route}` dispatched to the most specific
matching route whose methods allow the request, the function key checked, a real
`azure.functions.HttpRequest` passed in and the returned `HttpResponse` sent back.

As the Functions host does: a path or method no function takes is 404; a missing or wrong
key is 401; a function that raises (or returns nothing) is a 500 with an empty body.
Keys: an `anonymous` route takes none; a `function` route takes the key in the setting
FUNCTIONS_KEY (the host keeps its keys in storage; locally it is a setting, so tests and
`make run` know it), sent in the `code` query parameter or the `x-functions-key` header.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any, Mapping
from urllib.parse import unquote

from aiohttp import web
from azure.functions.http import HttpRequest, HttpResponseConverter
from multidict import CIMultiDict

from localdev.host.indexer import IndexedFunction
from localdev.host.invoker import Invoker
from localdev.host.routes import RouteTemplate

# The Functions host's request size limit (100 MB); the app sets its own, smaller ones.
MAX_REQUEST_BYTES = 100 * 1024 * 1024
REASON = "This function was programmatically called via the host APIs."
KEY_SETTING = "FUNCTIONS_KEY"
KEY_HEADER = "x-functions-key"
KEY_QUERY = "code"
log = logging.getLogger("Host.Http")


class HttpRoute:
    def __init__(self, function: IndexedFunction, route_prefix: str) -> None:
        self.function = function
        self.template = RouteTemplate(function.trigger.get("route") or function.name)
        self.methods = {str(method).upper() for method in function.trigger.get("methods") or ()}
        self.anonymous = str(function.trigger.get("authLevel") or "function").lower() == "anonymous"
        self.url_path = "/" + "/".join(part for part in (route_prefix, self.template.template) if part)

    def allows(self, method: str) -> bool:
        return not self.methods or method.upper() in self.methods


def _joined(values: Any) -> dict[str, str]:
    """A multi-valued mapping as the host hands it over: repeated names joined by commas."""
    joined: dict[str, str] = {}
    for name, value in values.items():
        joined[name] = f"{joined[name]},{value}" if name in joined else value
    return joined


class HttpTriggers:
    def __init__(self, functions: list[IndexedFunction], *, route_prefix: str, invoker: Invoker,
                 settings: Mapping[str, str]) -> None:
        routes = [HttpRoute(function, route_prefix) for function in functions]
        self.routes = sorted(routes, key=lambda route: route.template.precedence)
        self._prefix = [part.lower() for part in route_prefix.split("/") if part]
        self._invoker = invoker
        self._key = settings.get(KEY_SETTING) or ""
        for route in self.routes:
            if not route.anonymous and not self._key:
                log.warning("No key is set for '%s' (auth level function), so every call is refused: set %s",
                            route.function.name, KEY_SETTING)

    def application(self) -> web.Application:
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        # Every path reaches dispatch, one with a percent-encoded newline too (`.*` stops at it).
        app.router.add_route("*", r"/{path:[\s\S]*}", self.dispatch)
        return app

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        segments = [unquote(part) for part in request.rel_url.raw_path.split("/") if part]
        if [segment.lower() for segment in segments[:len(self._prefix)]] != self._prefix:
            return web.Response(status=404)
        segments = segments[len(self._prefix):]
        for route in self.routes:
            params = route.template.match(segments)
            if params is not None and route.allows(request.method):
                return await self._call(route, params, request)
        return web.Response(status=404)

    def _allows(self, route: HttpRoute, presented: str | None) -> bool:
        # Compared in constant time, so timing says nothing about how close a guess was.
        return route.anonymous or bool(self._key and presented and
                                       hmac.compare_digest(self._key.encode(), presented.encode()))

    async def _call(self, route: HttpRoute, params: dict[str, str], request: web.Request) -> web.StreamResponse:
        if not self._allows(route, request.headers.get(KEY_HEADER) or request.query.get(KEY_QUERY)):
            return web.Response(status=401)
        http_request = HttpRequest(
            method=request.method, url=str(request.url), headers=_joined(request.headers),
            params=_joined(request.query), route_params=params, body_type="bytes", body=await request.read())
        try:
            return _response(await self._invoker.invoke(route.function, http_request, reason=REASON))
        except Exception:  # logged by the invoker, or just below; never shown to the caller
            return web.Response(status=500)


def _response(returned: Any) -> web.Response:
    """The function's HttpResponse (or str) encoded by azure.functions' own converter, then sent."""
    try:
        datum = HttpResponseConverter.encode(returned, expected_type=None)
    except NotImplementedError:
        log.error("An HTTP function returned %s; return an azure.functions.HttpResponse or a str",
                  type(returned).__name__)
        raise
    if datum.type == "string":
        return web.Response(status=200, text=datum.value)
    value = datum.value
    headers = CIMultiDict((name, header.value) for name, header in value["headers"].items())
    return web.Response(status=int(value["status_code"].value), headers=headers, body=value["body"].value)
