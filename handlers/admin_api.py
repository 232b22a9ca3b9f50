"""The admin API: start, list, read, approve, cancel and roll back remediations; the blocked list.

Reading needs `Remediation.Reader` (or Admin); acting needs `Remediation.Admin`. The caller's
identity is recorded on the job.
"""

from __future__ import annotations

from typing import Awaitable, Callable
from urllib.parse import urlencode

import azure.functions as func

from handlers.http_errors import http_endpoint, json_response
from handlers.http_io import (
    authenticate, bool_field, choice_field, list_field, origin, query_choice, query_int, read_object, text_field,
)
from handlers.runtime import admin, intake, settings
from remediation.auth import ADMIN, READER
from remediation.models import ADMIN_SOURCE, JOB_STATUSES, MODES, Job, Trigger, normalize_user
from remediation.users import MAX_ADDRESS_LENGTH, checked_user

bp = func.Blueprint()
ANONYMOUS = func.AuthLevel.ANONYMOUS   # the app checks bearer tokens itself
REQUEST_FIELDS = {"user", "reason", "mode", "force"}
DECISION_FIELDS = {"comment"}
ROLLBACK_FIELDS = {"reason", "items"}
PAGE_SIZE, MAX_PAGE_SIZE = 50, 200


def _view(job: Job, req: func.HttpRequest) -> dict:
    return job.to_json(origin(req))


@bp.route(route="api/remediations", methods=["POST"], auth_level=ANONYMOUS)
@http_endpoint
async def remediations_create(req: func.HttpRequest) -> func.HttpResponse:
    caller = await authenticate(req, ADMIN)
    body = read_object(req, settings().max_request_bytes, REQUEST_FIELDS)
    user = checked_user(text_field(body, "user", required=True, max_length=MAX_ADDRESS_LENGTH))
    trigger = Trigger(ADMIN_SOURCE, requested_by=caller.identity, reason=text_field(body, "reason"),
                      requested_by_id=caller.object_id)
    job, created = await intake().request(user, trigger, mode=choice_field(body, "mode", MODES),
                                          force=bool_field(body, "force"))
    view = _view(job, req)
    if not created:
        return json_response(view, 200)
    return json_response(view, 202, {"Location": view["url"]})


@bp.route(route="api/remediations", methods=["GET"], auth_level=ANONYMOUS)
@http_endpoint
async def remediations_list(req: func.HttpRequest) -> func.HttpResponse:
    await authenticate(req, READER)
    user = normalize_user(req.params.get("user") or "") or None
    status = query_choice(req, "status", JOB_STATUSES)
    limit = query_int(req, "limit", PAGE_SIZE, 1, MAX_PAGE_SIZE)
    page = await admin().query(user=user, status=status, continuation=req.params.get("continuation") or None,
                              limit=limit)
    next_link = None
    if page.continuation:
        kept = {"user": user, "status": status, "limit": req.params.get("limit")}
        query = urlencode({**{k: v for k, v in kept.items() if v}, "continuation": page.continuation})
        next_link = f"{origin(req)}/api/remediations?{query}"
    return json_response({"items": [_view(job, req) for job in page.items], "nextLink": next_link})


@bp.route(route="api/remediations/{id}", methods=["GET"], auth_level=ANONYMOUS)
@http_endpoint
async def remediations_get(req: func.HttpRequest) -> func.HttpResponse:
    await authenticate(req, READER)
    return json_response(_view(await admin().get(req.route_params["id"]), req))


async def _decide(req: func.HttpRequest, decide: Callable[..., Awaitable[Job]]) -> func.HttpResponse:
    caller = await authenticate(req, ADMIN)
    body = read_object(req, settings().max_request_bytes, DECISION_FIELDS, optional=True)
    job = await decide(req.route_params["id"], by=caller.who, comment=text_field(body, "comment"))
    return json_response(_view(job, req))


@bp.route(route="api/remediations/{id}/approve", methods=["POST"], auth_level=ANONYMOUS)
@http_endpoint
async def remediations_approve(req: func.HttpRequest) -> func.HttpResponse:
    return await _decide(req, admin().approve)


@bp.route(route="api/remediations/{id}/cancel", methods=["POST"], auth_level=ANONYMOUS)
@http_endpoint
async def remediations_cancel(req: func.HttpRequest) -> func.HttpResponse:
    return await _decide(req, admin().cancel)


@bp.route(route="api/remediations/{id}/rollback", methods=["POST"], auth_level=ANONYMOUS)
@http_endpoint
async def remediations_rollback(req: func.HttpRequest) -> func.HttpResponse:
    caller = await authenticate(req, ADMIN)
    body = read_object(req, settings().max_request_bytes, ROLLBACK_FIELDS)
    job = await admin().rollback(req.route_params["id"], by=caller.who,
                                 reason=text_field(body, "reason", required=True), items=list_field(body, "items"))
    return json_response(_view(job, req))


@bp.route(route="api/restricted-senders", methods=["GET"], auth_level=ANONYMOUS)
@http_endpoint
async def restricted_senders(req: func.HttpRequest) -> func.HttpResponse:
    await authenticate(req, READER)
    return json_response({"items": await admin().restricted_senders()})
