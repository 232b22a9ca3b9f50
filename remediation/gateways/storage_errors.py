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
    ConfigurationError, ConflictError, NotFoundError, PermissionError_, ServiceRejectedError, TransientError,
)

QUEUE_SERVICE, TABLE_SERVICE = "Azure Queue Storage", "Azure Table Storage"
# The data-plane role the app's identity needs when the service answers 403.
_ROLES = {QUEUE_SERVICE: "the Storage Queue Data Contributor role",
          TABLE_SERVICE: "the Storage Table Data Contributor role"}


def service_words(exc: HttpResponseError) -> str:
    """The service's own message: Tables answer OData JSON, Queues XML (the SDK puts its text first)."""
    try:
        body = json.loads(exc.response.text()) if exc.response is not None else {}
        return body["odata.error"]["message"]["value"].splitlines()[0]
    except (ValueError, KeyError, TypeError, AttributeError):
        return (exc.message or str(exc)).splitlines()[0]


@contextmanager
def translated(service: str) -> Iterator[None]:
    """Run Storage calls inside this block; whatever escapes is one of our errors."""
    try:
        yield
    except ResourceNotFoundError as exc:
        raise NotFoundError(service_words(exc), service=service, code=exc.error_code or "") from exc
    except (ResourceModifiedError, ResourceExistsError) as exc:
        raise ConflictError(service_words(exc), service=service, code=exc.error_code or "") from exc
    except ClientAuthenticationError as exc:
        if exc.response is None:  # the credential got no token: no identity where we run
            raise ConfigurationError(f"no credential for storage: {exc.message}", service=service) from exc
        raise _by_status(exc, service) from exc
    except HttpResponseError as exc:
        raise _by_status(exc, service) from exc
    except (ServiceRequestError, ServiceResponseError, TimeoutError) as exc:
        raise TransientError(f"storage unreachable: {exc}", service=service) from exc


def _by_status(exc: HttpResponseError, service: str) -> Exception:
    words, code, status = service_words(exc), exc.error_code or "", exc.status_code or 0
    if status in (401, 403):
        return PermissionError_(words, service=service, code=code, permission=_ROLES[service])
    if status in (408, 429) or status >= 500:
        return TransientError(words, service=service, code=code)
    return ServiceRejectedError(words, service=service, code=code)
