"""The one error tree of the app.

    RemediationError
    ├── TransientError            raise: the queue retries the message (429, 5xx, timeouts)
    │   └── ThrottledError        the service said how long to wait (retry_after seconds)
    ├── PermanentError            end the step `failed` with the service's own words
    │   ├── NotFoundError         the user, rule or blocked sender does not exist
    │   ├── PermissionError_      the app lacks a permission; `.permission` names it
    │   │   └── LicenceError      the tenant lacks the licence (Entra ID P1 for sign-in logs)
    │   ├── UnblockCapError       Microsoft's cap on unblocks for one account was reached
    │   ├── UnreadableValueError  a value a service gave cannot be read (a date); also a ValueError
    │   └── ServiceRejectedError  any other 4xx with a meaning (bad request, conflict)
    ├── ConflictError             an ETag-guarded write lost the race; re-read and decide
    │   └── StateConflictError    the job's status does not allow what was asked (approve a running job)
    ├── NotAllowedError           the caller may not do this to this job (decide their own remediation, approve their own request)
    ├── ConfigurationError        a setting is missing or invalid
    └── RequestError              bad input from a caller: a malformed body, field or query
        ├── TooLargeError         the body is larger than MAX_REQUEST_BYTES
        ├── UnauthorizedError     no or invalid credentials
        └── ForbiddenError        a valid caller without the role, or an item naming another tenant

Gateways translate SDK and HTTP errors into this tree, so nothing above them parses an
SDK error. The errors say what happened, never how to answer it: `handlers/http_errors.py`
alone maps them to HTTP statuses.
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


class LicenceError(PermissionError_):
    """The tenant lacks the licence a call needs (sign-in logs need Entra ID P1)."""


class UnblockCapError(PermanentError):
    pass


class ServiceRejectedError(PermanentError):
    pass


class UnreadableValueError(PermanentError, ValueError):
    """A ValueError too, for the callers that read a value and decide what an unreadable one means."""


class ConflictError(RemediationError):
    """An ETag-guarded update or a create-if-absent claim lost to another writer."""


class StateConflictError(ConflictError):
    """The job is in a status that does not allow the action (approve a job not awaiting approval,
    decide on one that has ended)."""


class NotAllowedError(RemediationError):
    """The caller may not do this to this job, whatever their role (separation of duties)."""


class ConfigurationError(RemediationError):
    pass


class RequestError(RemediationError):
    """The caller sent something the app cannot take."""


class TooLargeError(RequestError):
    pass


class UnauthorizedError(RequestError):
    pass


class ForbiddenError(RequestError):
    pass
