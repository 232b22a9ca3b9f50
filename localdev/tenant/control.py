"""The control API under /_sandbox/: what tests and demos use to set the tenant up and read it back.

    GET    /_sandbox/health               {"status": "ok", "tenantId"}
    GET    /_sandbox/state                the whole state (TenantState.to_json())
    GET    /_sandbox/scenario             the tenant as a scenario (edit it and post it back)
    POST   /_sandbox/scenario             replace the whole state with the posted scenario (JSON)
    GET    /_sandbox/users/{user}         one user's state, with its passwordChanges and revocations
    GET    /_sandbox/requests?since=N     the request log from index N: [{"index", "at", "method", ...}]
    DELETE /_sandbox/requests             empty the log
    POST   /_sandbox/faults               add one fault or a list (faults.py) -> the faults with their ids
    GET    /_sandbox/faults               the faults still armed
    DELETE /_sandbox/faults[?id=]         disarm one or all
    POST   /_sandbox/tokens               {claims..., "signWith": "untrusted"?} -> {"access_token"}

Control calls are never logged and never faulted. Errors are `{"error": "<what is wrong>"}`.
"""

from __future__ import annotations

from aiohttp import web

from localdev.tenant import context, entra, faults, scenario
from localdev.tenant.state import TenantState


def _problem(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def _json(request: web.Request) -> object:
    try:
        return await request.json() if await request.read() else None
    except ValueError:
        raise web.HTTPBadRequest(text='{"error": "the body is not valid JSON"}', content_type="application/json")


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "tenantId": context.state(request).tenant_id})


async def get_state(request: web.Request) -> web.Response:
    return web.json_response(context.state(request).to_json())


async def get_scenario(request: web.Request) -> web.Response:
    return web.json_response(context.state(request).to_scenario())


async def load_scenario(request: web.Request) -> web.Response:
    body = await _json(request)
    try:
        context.state(request).load(scenario.resolve(body))
    except scenario.ScenarioError as exc:
        return _problem(400, str(exc))
    return web.json_response(context.state(request).to_json(), status=200)


async def get_user(request: web.Request) -> web.Response:
    tenant = context.state(request)
    user = tenant.user(request.match_info["user"], by_mail=True)
    if user is None:
        return _problem(404, f"no user {request.match_info['user']}")
    return web.json_response({**user, "passwordChanges": tenant.password_changes.get(user["id"], []),
                              "revocations": tenant.revocations.get(user["id"], [])})


async def get_requests(request: web.Request) -> web.Response:
    try:
        since = int(request.query.get("since", 0))
    except ValueError:
        return _problem(400, "since must be an integer")
    log = context.state(request).request_log
    return web.json_response([{"index": index, **entry} for index, entry in enumerate(log) if index >= since])


async def clear_requests(request: web.Request) -> web.Response:
    context.state(request).request_log.clear()
    return web.Response(status=204)


async def add_faults(request: web.Request) -> web.Response:
    body = await _json(request)
    specs = body if isinstance(body, list) else [body]
    try:
        added = [faults.validate(spec) for spec in specs]
    except faults.FaultSpecError as exc:
        return _problem(400, str(exc))
    context.state(request).faults.extend(added)
    return web.json_response(added, status=201)


async def list_faults(request: web.Request) -> web.Response:
    return web.json_response(context.state(request).faults)


async def clear_faults(request: web.Request) -> web.Response:
    tenant = context.state(request)
    wanted = request.query.get("id")
    tenant.faults[:] = [fault for fault in tenant.faults if wanted and fault.get("id") != wanted]
    return web.Response(status=204)


async def mint_token(request: web.Request) -> web.Response:
    body = await _json(request) or {}
    if not isinstance(body, dict):
        return _problem(400, "claims are a JSON object")
    claims = dict(body)
    sign_with = claims.pop("signWith", "trusted")
    if sign_with not in ("trusted", "untrusted"):
        return _problem(400, "signWith is 'trusted' or 'untrusted'")
    return web.json_response({"token_type": "Bearer",
                              "access_token": entra.mint(request, claims, untrusted=sign_with == "untrusted")})


def add_routes(app: web.Application, tenant: TenantState) -> None:
    prefix = context.CONTROL_PREFIX.rstrip("/")
    app.router.add_get(f"{prefix}/health", health)
    app.router.add_get(f"{prefix}/state", get_state)
    app.router.add_get(f"{prefix}/scenario", get_scenario)
    app.router.add_post(f"{prefix}/scenario", load_scenario)
    app.router.add_get(f"{prefix}/users/{{user}}", get_user)
    app.router.add_get(f"{prefix}/requests", get_requests)
    app.router.add_delete(f"{prefix}/requests", clear_requests)
    app.router.add_post(f"{prefix}/faults", add_faults)
    app.router.add_get(f"{prefix}/faults", list_faults)
    app.router.add_delete(f"{prefix}/faults", clear_faults)
    app.router.add_post(f"{prefix}/tokens", mint_token)
