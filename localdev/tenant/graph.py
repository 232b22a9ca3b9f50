"""Microsoft Graph under /v1.0: the aiohttp entry point and JSON batching.

Routes live in graph_directory.py, graph_mail.py and graph_security.py; graph_router.py
resolves them, so a `$batch` item runs exactly the route (and faults) a standalone request would.
`PERMISSIONS` maps each route to the application permission it needs (a scenario's
`permissions.withheld` turns them into 403s); the deep health check and the docs reuse it.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, unquote, urlsplit

from aiohttp import web

from localdev.tenant import (
    context, faults, graph_audit, graph_containment, graph_directory, graph_identity, graph_mail, graph_security,
    odata,
)
from localdev.tenant.graph_router import GraphCall, GraphReply, Route, Router, permissions
from localdev.tenant.state import TenantState

MAX_BATCH = 20
PREFIX = "/v1.0"


async def batch(call: GraphCall) -> GraphReply:
    """POST /$batch: run each item through the router in dependency order; failures stay per item."""
    body = call.json()
    items = body.get("requests") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items or not all(_valid_item(item) for item in items):
        raise odata.bad_request("Invalid batch payload format.")
    if len(items) > MAX_BATCH:
        raise odata.bad_request(f"The number of requests in the batch ({len(items)}) exceeds the limit of {MAX_BATCH}.")
    by_id = {str(item["id"]).lower(): item for item in items}
    if len(by_id) != len(items):
        raise odata.bad_request("Batch request ids must be unique.")
    for item in items:
        missing = [dep for dep in item.get("dependsOn", []) if str(dep).lower() not in by_id]
        if missing:
            raise odata.bad_request(f"Request '{item['id']}' depends on '{missing[0]}', which is not in the batch.")
    statuses: dict[str, int] = {}
    responses = []
    for item in _in_dependency_order(items, by_id):
        failed = [dep for dep in item.get("dependsOn", []) if statuses[str(dep).lower()] >= 400]
        if failed:
            reply = GraphReply(424, odata.error_body("FailedDependency", f"Dependency '{failed[0]}' failed.", call.ids))
        else:
            reply = await _run_item(call, item)
        statuses[str(item["id"]).lower()] = reply.status
        response = {"id": str(item["id"]), "status": reply.status, "headers": reply.headers}
        if reply.body is not None:
            response["body"] = reply.body
        responses.append(response)
    return GraphReply(200, {"responses": responses})


def _valid_item(item: object) -> bool:
    return (isinstance(item, dict) and bool(item.get("id")) and isinstance(item.get("method"), str)
            and isinstance(item.get("url"), str) and isinstance(item.get("dependsOn", []), list))


def _in_dependency_order(items: list[dict], by_id: dict[str, dict]) -> list[dict]:
    ordered: list[dict] = []
    visiting: set[str] = set()

    def visit(item: dict) -> None:
        key = str(item["id"]).lower()
        if item in ordered:
            return
        if key in visiting:
            raise odata.bad_request(f"Request '{item['id']}' has a circular dependency.")
        visiting.add(key)
        for dep in item.get("dependsOn", []):
            visit(by_id[str(dep).lower()])
        ordered.append(item)

    for item in items:
        visit(item)
    return ordered


async def _run_item(call: GraphCall, item: dict) -> GraphReply:
    parts = urlsplit(item["url"])
    if parts.scheme or parts.netloc:
        return _item_error(call, "Invalid request URL: batch items take a URL relative to the version, like /users.")
    path = "/" + parts.path.lstrip("/")
    method = item["method"].upper()
    headers = {str(key): str(value) for key, value in (item.get("headers") or {}).items()}
    has_body = "body" in item and item["body"] is not None
    if has_body and not any(key.lower() == "content-type" for key in headers):
        return _item_error(call, f"Write request id : {item['id']} does not contain Content-Type header or body.")
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    ids = odata.RequestIds()
    full_path = PREFIX + unquote(path)
    found = await faults.triggered(call.state, method, full_path)
    fault = found.fault
    if fault and fault["kind"] in ("drop", "timeout"):   # a batch item's lost answer loses the whole batch's
        raise faults.Dropped()
    if fault:
        fault_reply = faults.reply(fault, full_path, ids)
        reply = GraphReply(fault_reply.status, fault_reply.body, {**ids.headers(), **fault_reply.headers})
    elif path.lower() == "/$batch":
        reply = _item_error(call, "Nested batch requests are not supported.")
    else:
        sub = GraphCall(method, path, query, item.get("body"), False, headers, call.base, ids, call.state)
        reply = await ROUTER.dispatch(sub)
    context.log_call(call.state, method, full_path, query, reply.status, item.get("body"),
                     batch=call.ids.request_id, batchItem=str(item["id"]), **found.log())
    return reply


def _item_error(call: GraphCall, message: str) -> GraphReply:
    return GraphReply(400, odata.error_body("BadRequest", message, call.ids), {"Content-Type": "application/json"})


ROUTES: list[Route] = [*graph_directory.ROUTES, *graph_mail.ROUTES, *graph_security.ROUTES, *graph_identity.ROUTES,
                       *graph_audit.ROUTES, *graph_containment.ROUTES, Route("POST", "/$batch", batch)]
ROUTER = Router(ROUTES)
PERMISSIONS = permissions(ROUTES, graph_directory.PATCH_PERMISSIONS)


async def handle(request: web.Request) -> web.StreamResponse:
    raw = request.raw_path.split("?", 1)[0]
    incoming = request[context.INCOMING]
    call = GraphCall(request.method, raw[len(PREFIX):] or "/", dict(request.query), incoming.json, incoming.malformed,
                     request.headers, context.base_url(request), incoming.ids, context.state(request))
    reply = await ROUTER.dispatch(call)
    body = None if reply.body is None else json.dumps(reply.body)
    return web.Response(status=reply.status, text=body, headers=reply.headers)


def add_routes(app: web.Application, tenant: TenantState) -> None:
    app.router.add_route("*", PREFIX + "/{tail:.*}", handle)
