"""POST /api/alerts/sentinel: the incident a Sentinel playbook forwards (bearer token, `Alerts.Submit`)."""

from __future__ import annotations

import azure.functions as func

from handlers.alert_jobs import start_jobs
from handlers.http_errors import http_endpoint
from handlers.http_io import authenticate, read_json
from handlers.runtime import settings
from remediation.auth import ALERTS_SUBMIT
from remediation.intake import sentinel_users
from remediation.models import SENTINEL_SOURCE

bp = func.Blueprint()


@bp.route(route="alerts/sentinel", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@http_endpoint
async def alerts_sentinel(req: func.HttpRequest) -> func.HttpResponse:
    caller = await authenticate(req, ALERTS_SUBMIT)
    config = settings()
    alerted = sentinel_users(read_json(req, config.max_request_bytes), config.alert_name)
    return await start_jobs(req, SENTINEL_SOURCE, alerted, caller.identity)
