"""The one place that turns remediation.errors into HTTP answers: JSON problem bodies
(RFC 9457 `{"type", "title", "status", "detail"}`), never a traceback.

    UnauthorizedError 401 + WWW-Authenticate   ForbiddenError, NotAllowedError 403   TooLargeError 413
    other RequestError 400   NotFoundError 404   ConflictError (StateConflictError) 409   other PermanentError 422
    TransientError 503 + Retry-After (the caller retries)   ConfigurationError 500   anything else 500

A 5xx answer carries a generic detail; what went wrong is logged.
"""

from __future__ import annotations

import functools
import json
import logging
from http import HTTPStatus
from typing import Any, Awaitable, Callable

import azure.functions as func

from remediation.errors import (
    ConfigurationError, ConflictError, ForbiddenError, NotAllowedError, NotFoundError, PermanentError, RequestError,
    ThrottledError, TooLargeError, TransientError, UnauthorizedError,
)

log = logging.getLogger(__name__)

PROBLEM_TYPE = "about:blank"
DEFAULT_RETRY_AFTER_SECONDS = 5
MISCONFIGURED = "the app is misconfigured; see its logs"
INTERNAL = "internal error"
UNAVAILABLE = "a service the app depends on is unavailable; retry later"


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> func.HttpResponse:
    return func.HttpResponse(json.dumps(body), status_code=status, headers=headers or {},
                             mimetype="application/json")


def problem(status: int, detail: str, headers: dict[str, str] | None = None) -> func.HttpResponse:
    body = {"type": PROBLEM_TYPE, "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    return func.HttpResponse(json.dumps(body), status_code=status, headers=headers or {},
                             mimetype="application/problem+json")


# Most specific first: the first class the error is an instance of gives its status.
_STATUSES: tuple[tuple[type[Exception], int], ...] = (
    (UnauthorizedError, 401), (ForbiddenError, 403), (NotAllowedError, 403), (TooLargeError, 413),
    (RequestError, 400), (NotFoundError, 404), (ConflictError, 409), (PermanentError, 422),
)


def status_of(exc: Exception) -> int:
    """The HTTP status an error of the app is answered with (500 for anything unexpected)."""
    if isinstance(exc, TransientError):
        return 503
    return next((status for kind, status in _STATUSES if isinstance(exc, kind)), 500)


def _status_and_headers(exc: Exception) -> tuple[int, dict[str, str]]:
    if isinstance(exc, UnauthorizedError):
        return 401, {"WWW-Authenticate": "Bearer"}
    if isinstance(exc, TransientError):
        wait = exc.retry_after if isinstance(exc, ThrottledError) and exc.retry_after else DEFAULT_RETRY_AFTER_SECONDS
        return 503, {"Retry-After": str(max(1, round(wait)))}
    return status_of(exc), {}


def _server_side_detail(exc: Exception) -> str:
    """The words of a server-side failure may hold a setting's value, an internal URL or a
    service's reply: they go to the log, the caller gets a generic detail."""
    if isinstance(exc, ConfigurationError):
        log.error("answered 500, the app is misconfigured: %s", exc)
        return MISCONFIGURED
    if isinstance(exc, TransientError):
        log.warning("answered 503: %s", exc)
        return UNAVAILABLE
    log.error("answered 500, unexpected error", exc_info=exc)
    return INTERNAL


def error_response(exc: Exception) -> func.HttpResponse:
    status, headers = _status_and_headers(exc)
    if status >= 500:
        return problem(status, _server_side_detail(exc), headers)
    # Refused credentials are worth an operator's eye (a forged webhook, a token for another app).
    log.log(logging.WARNING if status in (401, 403) else logging.INFO, "answered %d: %s", status, exc)
    return problem(status, str(exc), headers)


Handler = Callable[[func.HttpRequest], Awaitable[func.HttpResponse]]


def http_endpoint(handler: Handler) -> Handler:
    """Every HTTP function: errors of the app become problem responses, anything else a bare 500."""

    @functools.wraps(handler)
    async def endpoint(req: func.HttpRequest) -> func.HttpResponse:
        try:
            return await handler(req)
        except Exception as exc:  # noqa: BLE001 - the one boundary where every failure becomes an answer
            return error_response(exc)

    return endpoint
