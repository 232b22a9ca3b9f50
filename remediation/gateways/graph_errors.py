"""Graph's failures in our error tree, and the permission each gateway method needs.

The SDK raises `ODataError` (Graph's `{"error": {"code", "message"}}`) or kiota's `APIError`
(a body it could not read); below them the network and the credential raise their own.
`graph_call` turns all of them into remediation.errors in one place, keeping Graph's words.
"""

from __future__ import annotations

import functools
from typing import Awaitable, Callable, TypeVar

from kiota_abstractions.api_error import APIError
from msgraph.generated.models.o_data_errors.o_data_error import ODataError

from remediation.errors import RemediationError
from remediation.gateways.http import retry_after_seconds
from remediation.gateways.http_errors import error_for_exception, error_for_status

SERVICE = "graph"

# Gateway method -> the application permission its Graph call needs (named in PermissionError_).
PERMISSIONS = {
    "get_user": "User.Read.All",
    "domains": "Domain.Read.All",
    "reset_password": "User-PasswordProfile.ReadWrite.All",
    "revoke_sessions": "User.RevokeSessions.All",
    "disable_account": "User.EnableDisableAccount.All",
    "member_of": "GroupMember.Read.All",
    "inbox_rules": "MailboxSettings.ReadWrite",
    "disable_inbox_rule": "MailboxSettings.ReadWrite",
    "auth_methods": "UserAuthenticationMethod.ReadWrite.All",
    "delete_auth_method": "UserAuthenticationMethod.ReadWrite.All",
    "permission_grants": "DelegatedPermissionGrant.ReadWrite.All",
    "consented_app": "Application.Read.All",
    "delete_permission_grant": "DelegatedPermissionGrant.ReadWrite.All",
    "create_permission_grant": "DelegatedPermissionGrant.ReadWrite.All",
    "confirm_compromised": "IdentityRiskyUser.ReadWrite.All",
    "send_mail": "Mail.Send",
    "security_alerts": "SecurityAlert.Read.All",
    "sign_ins": "AuditLog.Read.All",
}


def graph_error(exc: Exception, permission: str = "") -> RemediationError | None:
    """Our error for an SDK, network or credential error; None for anything else (a bug: let it raise)."""
    if isinstance(exc, RemediationError):
        return exc
    if isinstance(exc, APIError) and exc.response_status_code is not None:
        main = exc.error if isinstance(exc, ODataError) else None
        code = (main.code if main else "") or ""
        message = (main.message if main else "") or exc.message or f"HTTP {exc.response_status_code}"
        headers = exc.response_headers or {}
        return error_for_status(exc.response_status_code, message, service=SERVICE, code=code,
                                permission=permission, retry_after=retry_after_seconds(headers.get("Retry-After")))
    return error_for_exception(exc, service=SERVICE)


T = TypeVar("T")


def translating(permission: str) -> Callable[[Callable[..., Awaitable[T]]], Callable[..., Awaitable[T]]]:
    """Decorates a gateway method: its errors leave translated, naming `permission`."""
    def decorate(method: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
        @functools.wraps(method)
        async def translated(*args, **kwargs) -> T:
            try:
                return await method(*args, **kwargs)
            except Exception as exc:
                error = graph_error(exc, permission)
                if error is None or error is exc:
                    raise
                raise error from exc
        return translated
    return decorate


def graph_call(method: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """`translating` with the permission PERMISSIONS names for the method."""
    return translating(PERMISSIONS[method.__name__])(method)
