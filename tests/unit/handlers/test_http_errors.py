"""The one mapping of the error tree to HTTP answers."""

from __future__ import annotations

import json

import pytest

from handlers.http_errors import error_response
from remediation.errors import (
    ConfigurationError, ConflictError, ForbiddenError, NotAllowedError, NotFoundError, PermissionError_, RequestError,
    ServiceRejectedError, StateConflictError, ThrottledError, TooLargeError, TransientError, UnauthorizedError,
)


@pytest.mark.parametrize("error, status", [
    (UnauthorizedError("no token"), 401), (ForbiddenError("no role"), 403), (RequestError("bad"), 400),
    (TooLargeError("big"), 413), (NotFoundError("no job"), 404), (ConflictError("lost a race"), 409),
    (StateConflictError("job j is running, not awaiting_approval"), 409), (NotAllowedError("own job"), 403),
    (ServiceRejectedError("Graph said no", service="graph"), 422), (PermissionError_("denied"), 422),
])
def test_each_error_has_its_status_and_its_words(error, status):
    response = error_response(error)
    body = json.loads(response.get_body())
    assert (response.status_code, body["status"], body["detail"]) == (status, status, str(error))
    assert response.mimetype == "application/problem+json" and body["type"] == "about:blank"


def test_only_unauthorized_challenges():
    assert error_response(UnauthorizedError("x")).headers["WWW-Authenticate"] == "Bearer"
    assert "WWW-Authenticate" not in error_response(ForbiddenError("x")).headers


@pytest.mark.parametrize("error, wait", [(ThrottledError("slow down", retry_after=12.6), "13"),
                                         (ThrottledError("slow down", retry_after=0.2), "1"),
                                         (TransientError("timeout"), "5")])
def test_transient_errors_say_when_to_retry(error, wait):
    assert error_response(error).headers["Retry-After"] == wait


@pytest.mark.parametrize("error, status, detail", [
    (ConfigurationError("setting LOGIN_BASE_URL='https://login.internal.contoso' is not valid"), 500,
     "the app is misconfigured; see its logs"),
    (ConfigurationError("https://login.internal.contoso/jwks answered 404: <html>nginx 1.25</html>"), 500,
     "the app is misconfigured; see its logs"),
    (ValueError("password=hunter2 at https://login.internal.contoso"), 500, "internal error"),
    (TransientError("cannot reach https://login.internal.contoso/jwks: [Errno 111]", service="login"), 503,
     "a service the app depends on is unavailable; retry later"),
])
def test_server_side_failures_answer_a_generic_detail_and_log_the_words(caplog, error, status, detail):
    response = error_response(error)
    body = json.loads(response.get_body())
    assert (response.status_code, body) == (status, {"type": "about:blank", "title": body["title"],
                                                     "status": status, "detail": detail})
    assert "internal.contoso" not in response.get_body().decode()
    assert error.args[0] in caplog.text
