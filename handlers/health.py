"""GET /api/health and GET /api/openapi.json: anonymous, revealing nothing sensitive.

Anonymous health says only which checks pass; `?deep=true` (a reader's token) also probes
every Graph and Exchange permission and returns the details, naming what is missing.
"""

from __future__ import annotations

import azure.functions as func

from handlers import runtime
from handlers.http_errors import http_endpoint, json_response
from handlers.http_io import authenticate
from remediation import openapi
from remediation.auth import READER
from remediation.errors import ConfigurationError

bp = func.Blueprint()


def _summary(checks: dict[str, dict]) -> dict:
    passed = {name: openapi.HEALTHY if check.get("ok") else openapi.UNHEALTHY for name, check in checks.items()}
    status = openapi.HEALTHY if all(value == openapi.HEALTHY for value in passed.values()) else openapi.UNHEALTHY
    return {"status": status, "version": openapi.VERSION, "checks": passed}


@bp.route(route="health", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@http_endpoint
async def health(req: func.HttpRequest) -> func.HttpResponse:
    try:
        service = runtime.health()
    except ConfigurationError:
        return json_response(_summary({"settings": {"ok": False}}), 503)
    deep = req.params.get("deep", "").lower() == "true"
    if deep:
        await authenticate(req, READER)
    checks = (await service.check(deep=deep))["checks"]
    body = _summary(checks)
    if deep:
        body["details"] = checks
    return json_response(body, 200 if body["status"] == openapi.HEALTHY else 503)


@bp.route(route="openapi.json", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@http_endpoint
async def openapi_document(req: func.HttpRequest) -> func.HttpResponse:
    return json_response(openapi.document())
