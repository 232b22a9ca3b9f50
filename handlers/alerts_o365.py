"""POST /api/alerts/o365: the Office 365 Management Activity API webhook.

Answers exactly 200 to everything it accepts: the Management API counts any other status
(202 included) as a failure, retries and may disable the webhook. It only enqueues a
`fetch_content` per content pointer; the worker fetches the content. Items the intake
refuses beside good ones are logged and skipped.
"""

from __future__ import annotations

import logging

import azure.functions as func

from handlers.http_errors import http_endpoint, status_of
from handlers.http_io import read_json
from handlers.runtime import intake, settings
from remediation.auth import verify_webhook_auth_id
from remediation.intake import content_notifications

log = logging.getLogger(__name__)
bp = func.Blueprint()


def _is_validation(req: func.HttpRequest, body: object) -> bool:
    return "Webhook-ValidationCode" in req.headers or (isinstance(body, dict) and "validationCode" in body)


@bp.route(route="alerts/o365", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@http_endpoint
async def alerts_o365(req: func.HttpRequest) -> func.HttpResponse:
    config = settings()
    verify_webhook_auth_id(req.headers.get("Webhook-AuthID"), config.o365_webhook_auth_id)
    body = read_json(req, config.max_request_bytes, optional=True)
    if _is_validation(req, body):
        return func.HttpResponse(status_code=200)
    notification = content_notifications(body, config.tenant_id, config.management_api_base_url)
    for refusal in notification.refused:
        log.warning("O365 notification: skipped an item (%d): %s", status_of(refusal), refusal.message)
    await intake().enqueue_content(notification.pointers)
    return func.HttpResponse(status_code=200)
