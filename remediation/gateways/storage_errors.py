"""Azure Storage SDK errors -> the app's error tree (remediation/errors.py), decided once here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from azure.core.exceptions import (
    ClientAuthenticationError, HttpResponseError, ResourceExistsError, ResourceModifiedError,
    ResourceNotFoundError, ServiceRequestError, ServiceResponseError,
)

from remediation.errors import (
    ConfigurationError, ConflictError, NotFoundError, PermissionError_, RemediationError, ServiceRejectedError,
    TransientError,
)

QUEUE_SERVICE, TABLE_SERVICE = "Azure Queue Storage", "Azure Table Storage"
# The data-plane role the app's identity needs when the service answers 403.
_ROLES = {QUEUE_SERVICE: "the Storage Queue Data Contributor role",
          TABLE_SERVICE: "the Storage Table Data Contributor role"}


def service_words(exc: HttpResponseError) -> tuple[str, str]:
    """The service's own message and error code. Tables answer OData JSON; for Queues' XML the SDK
    puts the message first and sets `error_code`."""
    try:
        error = json.loads(exc.response.text())["odata.error"]
        return error["message"]["value"].splitlines()[0], error["code"]
    except (ValueError, KeyError, TypeError, AttributeError):
        code = getattr(exc, "error_code", None) or ""
        return (exc.message or str(exc)).splitlines()[0], str(getattr(code, "value", code))


@contextmanager
def translated(service: str) -> Iterator[None]:
    """Run Storage calls inside this block; whatever escapes is one of our errors."""
    try:
        yield
    except ResourceNotFoundError as exc:
        raise _error(NotFoundError, exc, service) from exc
    except (ResourceModifiedError, ResourceExistsError) as exc:
        raise _error(ConflictError, exc, service) from exc
    except ClientAuthenticationError as exc:
        if exc.response is None:  # the credential got no token: no identity where we run
            raise ConfigurationError(f"no credential for storage: {exc.message}", service=service) from exc
        raise _by_status(exc, service) from exc
    except HttpResponseError as exc:
        raise _by_status(exc, service) from exc
    except (ServiceRequestError, ServiceResponseError, TimeoutError) as exc:
        raise TransientError(f"storage unreachable: {exc}", service=service) from exc


def _by_status(exc: HttpResponseError, service: str) -> RemediationError:
    status = exc.status_code or 0
    if status in (401, 403):
        return _error(PermissionError_, exc, service, permission=_ROLES[service])
    if status in (408, 429) or status >= 500:
        return _error(TransientError, exc, service)
    return _error(ServiceRejectedError, exc, service)


def _error(kind: type[RemediationError], exc: HttpResponseError, service: str, **extra: str) -> RemediationError:
    words, code = service_words(exc)
    return kind(words, service=service, code=code, **extra)
