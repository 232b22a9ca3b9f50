"""The Office 365 Management Activity API under `/api/v1.0/{tenant GUID}/activity/feed/`:

    POST subscriptions/start?contentType=   {"webhook": {"address", "authId"?, "expiration"?}}?
         validates the webhook first (management_webhook.py): only an exact 200 enables it
    POST subscriptions/stop?contentType=
    GET  subscriptions/list
    GET  subscriptions/content?contentType=[&startTime=&endTime=]   paged by the `NextPageUri` header
    GET  subscriptions/notifications?contentType=[&startTime=&endTime=]
    GET  audit/{contentId}                  the blob: a JSON array of audit records

Shapes follow the reference's samples (tests/events/o365/). Content appears when the tenant
raises an alert (management_alerts.py). The scenario's `management.pageSize` sets the page size.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import jwt
from aiohttp import web

from localdev.tenant import context, management_alerts, management_webhook
from localdev.tenant.management_feed import (DEFAULT_PAGE_SIZE, FeedError, available, blob, check_tenant,
                                             content_type, listed, page, parse_time, subscription, time_window)
from localdev.tenant.state import TenantState, iso

ROOT = "/api/v1.0/{tenant}/activity/feed"
NO_CLIENT = "00000000-0000-0000-0000-000000000000"


def add_routes(app: web.Application, tenant: TenantState) -> None:
    app.router.add_post(f"{ROOT}/subscriptions/start", start)
    app.router.add_post(f"{ROOT}/subscriptions/stop", stop)
    app.router.add_get(f"{ROOT}/subscriptions/list", list_subscriptions)
    app.router.add_get(f"{ROOT}/subscriptions/content", list_content)
    app.router.add_get(f"{ROOT}/subscriptions/notifications", list_notifications)
    app.router.add_get(f"{ROOT}/audit/{{content_id}}", get_content)
    management_alerts.add_routes(app)


def _json(body, headers: dict | None = None) -> web.Response:
    return web.Response(text=json.dumps(body), headers=headers, content_type="application/json", charset="utf-8")


PERMISSION = "ActivityFeed.Read"


def feed_route(handler):
    """Check the tenant in the path and the caller's permission (a scenario may withhold it), and
    answer FeedErrors in the API's error shape."""
    async def route(request: web.Request) -> web.Response:
        try:
            check_tenant(context.state(request), request.match_info["tenant"])
            if PERMISSION in context.state(request).withheld:
                raise FeedError(401, "AF10001", "The permission set () sent in the request did not include the "
                                                f"expected permission {PERMISSION}.")
            return await handler(request, context.state(request))
        except FeedError as error:
            return error.response()
    return route


def _client_id(request: web.Request) -> str:
    """The calling app (the token's appid); the sandbox does not verify tokens and may get none."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return NO_CLIENT
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return NO_CLIENT
    return claims.get("appid") or claims.get("azp") or NO_CLIENT


async def _webhook(request: web.Request, state: TenantState) -> dict | None:
    """The validated webhook of a /start body (None when the body has none)."""
    try:
        body = context.json_body(request) or {}
    except context.MalformedBody:
        raise FeedError(400, "AF20002", "Invalid parameter type: webhook. Expected type: object") from None
    webhook = body.get("webhook") if isinstance(body, dict) else None
    if webhook is None:
        return None
    address = webhook.get("address") if isinstance(webhook, dict) else None
    if not address:
        raise FeedError(400, "AF20001", "Missing parameter: address.")
    expiration = webhook.get("expiration") or None
    try:
        expired = expiration is not None and parse_time(expiration) <= state.now()
    except ValueError:
        raise FeedError(400, "AF20002", "Invalid parameter type: expiration. Expected type: datetime") from None
    if expired:
        raise FeedError(400, "AF20003", f"Expiration {expiration} provided is set to past date and time.")
    problem = management_webhook.address_problem(address)
    if problem is None:
        status = await management_webhook.validate(address, webhook.get("authId"))
        problem = None if status == 200 else "The endpoint did not return HTTP 200."
    if problem:
        raise FeedError(400, "AF20021", f"The webhook endpoint {address} could not be validated. {problem}")
    return {"status": "enabled", "address": address, "authId": webhook.get("authId"), "expiration": expiration}


@feed_route
async def start(request: web.Request, state: TenantState) -> web.Response:
    kind = content_type(request.query)
    webhook = await _webhook(request, state)
    subscriptions = state.management["subscriptions"]
    current = subscriptions.get(kind) or {}
    subscriptions[kind] = {"contentType": kind, "status": "enabled", "webhook": webhook,
                           "clientId": _client_id(request), "since": current.get("since") or state.now_iso()}
    return _json({"contentType": kind, "status": "enabled", "webhook": webhook})


@feed_route
async def stop(request: web.Request, state: TenantState) -> web.Response:
    kind = content_type(request.query)
    subscription(state, kind)
    del state.management["subscriptions"][kind]
    return web.Response(status=200)


@feed_route
async def list_subscriptions(request: web.Request, state: TenantState) -> web.Response:
    return _json([{"contentType": entry["contentType"], "status": entry["status"], "webhook": entry["webhook"]}
                  for entry in state.management["subscriptions"].values()])


def _paged(request: web.Request, state: TenantState, items: list, start, end) -> web.Response:
    size = int(state.management.get("pageSize") or DEFAULT_PAGE_SIZE)
    shown, following = page(items, request.query, size)
    headers = {}
    if following is not None:
        query = {"contentType": request.query["contentType"], "startTime": iso(start), "endTime": iso(end),
                 "nextPage": str(following)}
        headers["NextPageUri"] = f"{context.base_url(request)}{request.path}?{urlencode(query)}"
    return _json(shown, headers)


@feed_route
async def list_content(request: web.Request, state: TenantState) -> web.Response:
    kind = content_type(request.query)
    subscription(state, kind)
    start, end = time_window(request.query, state.now())
    items = [listed(entry, context.base_url(request), state.tenant_id) for entry in available(state, kind, start, end)]
    return _paged(request, state, items, start, end)


@feed_route
async def list_notifications(request: web.Request, state: TenantState) -> web.Response:
    kind = content_type(request.query)
    subscription(state, kind)
    start, end = time_window(request.query, state.now())
    items = [entry for entry in state.management["notifications"]
             if entry["contentType"] == kind and start <= parse_time(entry["contentCreated"]) < end]
    return _paged(request, state, items, start, end)


@feed_route
async def get_content(request: web.Request, state: TenantState) -> web.Response:
    return _json(blob(state, request.match_info["content_id"])["records"])
