"""POST /api/alerts/azure-monitor: an action group's webhook (common alert schema).

The route is function-key level, so the host has checked the key before this runs; a
secure webhook also sends an Entra bearer token, which must then be valid and hold
`Alerts.Submit`.
"""

from __future__ import annotations

import azure.functions as func

from handlers.alert_jobs import start_jobs
from handlers.http_errors import http_endpoint
from handlers.http_io import authenticate, read_json
from handlers.runtime import settings
from remediation.auth import ALERTS_SUBMIT
from remediation.intake import azure_monitor_users
from remediation.models import AZURE_MONITOR_SOURCE

bp = func.Blueprint()


async def _submitter(req: func.HttpRequest) -> str:
    if "Authorization" not in req.headers:
        return f"{AZURE_MONITOR_SOURCE} (function key)"
    return (await authenticate(req, ALERTS_SUBMIT)).identity


@bp.route(route="alerts/azure-monitor", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@http_endpoint
async def alerts_azure_monitor(req: func.HttpRequest) -> func.HttpResponse:
    requested_by = await _submitter(req)
    config = settings()
    alerted = azure_monitor_users(read_json(req, config.max_request_bytes), config.azure_monitor_user_field)
    return await start_jobs(req, AZURE_MONITOR_SOURCE, alerted, requested_by)
