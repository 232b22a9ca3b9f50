"""One mapping of HTTP failures, network errors and credential errors to the error tree."""

from __future__ import annotations

import httpx
import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import CredentialUnavailableError

from remediation.errors import (
    ConfigurationError, NotFoundError, PermanentError, PermissionError_, ServiceRejectedError, ThrottledError,
    TransientError,
)
from remediation.gateways.http_errors import error_for_exception, error_for_status


@pytest.mark.parametrize("status, kind", [
    (400, ServiceRejectedError), (401, PermissionError_), (403, PermissionError_), (404, NotFoundError),
    (408, TransientError), (409, ServiceRejectedError), (412, ServiceRejectedError), (429, ThrottledError),
    (500, TransientError), (502, TransientError), (503, TransientError), (504, TransientError),
    (302, ServiceRejectedError),
])
def test_every_status_has_one_kind(status, kind):
    error = error_for_status(status, "the service's words", service="graph", code="SomeCode", permission="Mail.Send")
    assert type(error) is kind
    assert error.message == "the service's words" and error.service == "graph" and error.code == "SomeCode"
    assert isinstance(error, TransientError) != isinstance(error, PermanentError)


def test_throttling_keeps_the_wait_and_permission_errors_name_the_permission():
    assert error_for_status(429, "slow down", service="graph", retry_after=2.128).retry_after == 2.128
    forbidden = error_for_status(403, "Insufficient privileges", service="graph", permission="Mail.Send")
    assert forbidden.permission == "Mail.Send" and "Mail.Send" in str(forbidden)


@pytest.mark.parametrize("exc, kind", [
    (httpx.ConnectError("refused"), TransientError), (httpx.ReadTimeout("slow"), TransientError),
    (httpx.RemoteProtocolError("Server disconnected"), TransientError),
    (CredentialUnavailableError("no managed identity endpoint"), ConfigurationError),
    (ClientAuthenticationError("AADSTS700016: application not found"), PermissionError_),
])
def test_errors_below_the_answer_are_classified(exc, kind):
    assert type(error_for_exception(exc, service="exchange")) is kind


def test_a_foreign_exception_is_left_alone():
    assert error_for_exception(KeyError("bug"), service="graph") is None
