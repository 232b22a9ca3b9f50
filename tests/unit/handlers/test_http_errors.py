"""The one mapping of the error tree to HTTP answers."""

from __future__ import annotations

import json

import pytest

from handlers.http_errors import error_response
from remediation.errors import (
    ConfigurationError, ConflictError, ForbiddenError, NotFoundError, PermissionError_, RequestError,
    ServiceRejectedError, ThrottledError, TransientError, UnauthorizedError,
)


@pytest.mark.parametrize("error, status", [
    (UnauthorizedError("no token"), 401), (ForbiddenError("no role"), 403), (RequestError("bad"), 400),
    (RequestError("big", status=413), 413), (NotFoundError("no job"), 404), (ConflictError("lost a race"), 409),
    (ServiceRejectedError("Graph said no", service="graph"), 422), (PermissionError_("denied"), 422),
    (TransientError("Graph 503"), 503), (ConfigurationError("TENANT_ID is not set"), 500),
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


def test_anything_else_says_nothing_of_itself():
    body = json.loads(error_response(ValueError("password=hunter2")).get_body())
    assert body["status"] == 500 and "hunter2" not in json.dumps(body)
