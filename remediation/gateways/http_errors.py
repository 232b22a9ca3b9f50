"""The one classification of HTTP failures into the error tree (remediation/errors.py).

Transient (raise, the queue retries): 429, 408, 5xx, timeouts, dropped connections.
Permanent (the step ends with the service's words): 401/403 (a permission), 404, other 4xx.
"""

from __future__ import annotations

import sys

import httpx
from azure.core.exceptions import ClientAuthenticationError

from remediation.errors import (
    ConfigurationError, NotFoundError, PermissionError_, RemediationError, ServiceRejectedError, ThrottledError,
    TransientError,
)


def error_for_status(status: int, message: str, *, service: str, code: str = "", permission: str = "",
                     retry_after: float | None = None) -> RemediationError:
    """The one mapping of an HTTP failure to our error tree; gateways pre-empt it where the
    service says more than its status (Exchange's not-found arrives as a 500)."""
    kw = {"service": service, "code": code}
    if status == 429:
        return ThrottledError(message, retry_after=retry_after, **kw)
    if status in (401, 403):
        return PermissionError_(message, permission=permission, **kw)
    if status == 404:
        return NotFoundError(message, **kw)
    if status == 408 or status >= 500:
        return TransientError(message, **kw)
    return ServiceRejectedError(message, **kw)


def error_for_exception(exc: Exception, *, service: str) -> RemediationError | None:
    """Errors raised below the HTTP answer: the network, timeouts, the credential. None if foreign."""
    if isinstance(exc, httpx.TimeoutException):
        return TransientError(f"timed out: {type(exc).__name__}", service=service)
    if isinstance(exc, httpx.TransportError):
        return TransientError(f"connection failed: {type(exc).__name__}: {exc}", service=service)
    if _credential_unavailable(exc):
        return ConfigurationError(f"no credential for the app: {exc.message}", service=service)
    if isinstance(exc, ClientAuthenticationError):
        return PermissionError_(f"could not get a token: {exc.message}", service=service)
    return None


def _credential_unavailable(exc: Exception) -> bool:
    # azure.identity costs a cold start 80 ms and 20 MiB; only a credential, which imports it, raises this.
    identity = sys.modules.get("azure.identity")
    return identity is not None and isinstance(exc, identity.CredentialUnavailableError)
