"""The sandbox tenant's aiohttp application: every service on one port (and, with --tls-port, on a
second one over HTTPS for browsers), routed by path.

    /v1.0/...                                   Microsoft Graph (graph.py)
    /{tenant}/v2.0/..., /{tenant}/oauth2/...    Entra ID sign-in (entra.py; a single-page app's:
                                                entra_authorize.py, entra_signin.py)
    /adminapi/beta/{tenant}/InvokeCommand       Exchange Online admin API (exchange.py)
    /api/v1.0/{tenant}/activity/feed/...        Office 365 Management Activity API (management.py)
    /_sandbox/...                               control API for tests and demos (control.py)

One middleware wraps every service route: it gives the request Graph's request ids, parses the
body once, applies faults, turns aiohttp's own 404/405 into JSON and appends the request to the
log. Control routes pass straight through: never logged, never faulted.
"""

from __future__ import annotations

import asyncio
from typing import Awaitable, Callable

from aiohttp import web

from localdev.tenant import context, control, entra, entra_signin, exchange, faults, graph, management, odata
from localdev.tenant.state import TenantState

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def service_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if context.is_control(request.path):
        return await handler(request)
    tenant = context.state(request)
    started = tenant.now_iso()   # with "at" (the answer's time), the call's span: bench/round_trips.py
    incoming = await context.prepare(request)
    ids, body = incoming.ids, incoming.json
    found = await faults.triggered(tenant, request.method, request.path, context.cmdlet_name(body))
    try:
        response = await _answer(request, handler, found.fault, ids)
    except faults.Dropped as dropped:
        context.log_call(tenant, request.method, request.path, dict(request.query), None, body, dropped=True,
                         applied=dropped.applied, startedAt=started, **found.log())
        return _drop(request)
    for name, value in ids.headers().items():
        response.headers.setdefault(name, value)
    context.log_call(tenant, request.method, request.path, dict(request.query), response.status, body,
                     startedAt=started, **found.log())
    return response


async def _answer(request: web.Request, handler: Handler, fault: dict | None,
                  ids: odata.RequestIds) -> web.StreamResponse:
    if fault and fault["kind"] == "drop":
        raise faults.Dropped()
    if fault and fault["kind"] == "timeout":
        applied = fault.get("applied", True)
        if applied:
            await handler(request)
        await asyncio.sleep(fault["latencyMs"] / 1000)
        raise faults.Dropped(applied=applied)
    if fault:
        reply = faults.reply(fault, request.path, ids)
        return web.json_response(reply.body, status=reply.status, headers=reply.headers)
    try:
        return await handler(request)
    except web.HTTPException as error:
        if getattr(request.match_info, "http_exception", None) is not error:
            raise
        # The router's own 404/405 for a path or method no module serves, as JSON like the services'.
        return web.json_response({"error": {"code": error.reason.replace(" ", ""), "message": error.reason}},
                                 status=error.status)


def _drop(request: web.Request) -> web.StreamResponse:
    """Close the connection without a response, as a dropped connection would; aiohttp's write of
    the returned placeholder then finds the transport gone."""
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=503)


def create_app(scenario: dict | None = None) -> web.Application:
    tenant = TenantState(scenario or {})
    app = web.Application(middlewares=[service_middleware], client_max_size=8 * 1024 * 1024)
    app[context.TENANT] = tenant
    control.add_routes(app, tenant)
    entra.add_routes(app, tenant)
    entra_signin.add_routes(app)
    graph.add_routes(app, tenant)
    exchange.add_routes(app, tenant)
    management.add_routes(app, tenant)
    return app
