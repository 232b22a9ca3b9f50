"""The one error tree of the app.

    RemediationError
    ├── TransientError            raise: the queue retries the message (429, 5xx, timeouts)
    │   └── ThrottledError        the service said how long to wait (retry_after seconds)
    ├── PermanentError            end the step `failed` with the service's own words
    │   ├── NotFoundError         the user, rule or blocked sender does not exist
    │   ├── PermissionError_      the app lacks a permission; `.permission` names it
    │   ├── UnblockCapError       Microsoft's cap on unblocks for one account was reached
    │   ├── UnreadableValueError  a value a service gave cannot be read (a date); also a ValueError
    │   └── ServiceRejectedError  any other 4xx with a meaning (bad request, conflict)
    ├── ConflictError             an ETag-guarded write lost the race; re-read and decide
    ├── ConfigurationError        a setting is missing or invalid
    └── RequestError              bad input from a caller (HTTP 4xx); `.status` says which
        ├── UnauthorizedError     401: no or invalid credentials
        └── ForbiddenError        403: valid caller without the role

Gateways translate SDK and HTTP errors into this tree, so nothing above them parses an
SDK error; `handlers/http_errors.py` maps it to HTTP responses in one place.
"""

from __future__ import annotations


class RemediationError(Exception):
    """Base of every error the app raises on purpose."""

    def __init__(self, message: str, *, service: str = "", code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.service = service
        self.code = code

    def __str__(self) -> str:
        prefix = f"{self.service}: " if self.service else ""
        suffix = f" ({self.code})" if self.code else ""
        return f"{prefix}{self.message}{suffix}"


class TransientError(RemediationError):
    """Worth retrying later: throttling, 5xx, timeouts, dropped connections."""


class ThrottledError(TransientError):
    def __init__(self, message: str, *, retry_after: float | None = None, **kw) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class PermanentError(RemediationError):
    """Retrying will not help; the step ends `failed` with this message."""


class NotFoundError(PermanentError):
    pass


class PermissionError_(PermanentError):  # noqa: N801 - the builtin name is taken
    def __init__(self, message: str, *, permission: str = "", **kw) -> None:
        super().__init__(message, **kw)
        self.permission = permission

    def __str__(self) -> str:
        needed = f"; the app needs {self.permission}" if self.permission else ""
        return super().__str__() + needed


class UnblockCapError(PermanentError):
    pass


class ServiceRejectedError(PermanentError):
    pass


class UnreadableValueError(PermanentError, ValueError):
    """A ValueError too, for the callers that read a value and decide what an unreadable one means."""


class ConflictError(RemediationError):
    """An ETag-guarded update or a create-if-absent claim lost to another writer."""


class ConfigurationError(RemediationError):
    pass


class RequestError(RemediationError):
    status = 400

    def __init__(self, message: str, *, status: int | None = None, **kw) -> None:
        super().__init__(message, **kw)
        if status is not None:
            self.status = status


class UnauthorizedError(RequestError):
    status = 401


class ForbiddenError(RequestError):
    status = 403
