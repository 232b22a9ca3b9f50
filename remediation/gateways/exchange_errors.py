"""Exchange admin API failures in our error tree.

Exchange reports a cmdlet's failure as `error.details[].message` = `code|exceptionType|text`
(`Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|...`),
or, from its REST layer, in `error.innererror` (`type`, `internalException.message`), or
only in `error.message`. The HTTP status says little: not-found arrives as a 500.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from remediation.errors import (
    NotFoundError, PermissionError_, RemediationError, TransientError, UnblockCapError,
)
from remediation.gateways.http_errors import error_for_status

SERVICE = "exchange"
PERMISSION = "the Exchange.ManageAsApp application permission and the Exchange Administrator role"
UNBLOCK_CMDLET = "remove-blockedsenderaddress"
# Microsoft publishes no text for its cap on unblocks (past it only Support can release the
# sender): match the wording such an error would use, and a dedicated exception type.
UNBLOCK_CAP_WORDS = re.compile(r"limit|maximum number of times|released|exceeded|too many times", re.IGNORECASE)
UNBLOCK_CAP_TYPES = re.compile(r"limit|quota|exceeded", re.IGNORECASE)
# ADTransientException, OverBudgetException (Exchange's throttling), ...: worth a retry whatever the status.
TRANSIENT_TYPES = re.compile(r"transient|budget|throttl", re.IGNORECASE)


@dataclass
class ExchangeFailure:
    code: str = ""
    exception_type: str = ""
    text: str = ""

    @property
    def short_type(self) -> str:
        return self.exception_type.rpartition(".")[2]


def parse_failure(body: object) -> ExchangeFailure:
    """The most specific account of the failure that the body holds."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return ExchangeFailure()
    for detail in error.get("details") or []:
        message = (detail or {}).get("message") or ""
        parts = message.split("|", 2)
        if len(parts) == 3:
            return ExchangeFailure(*parts)
        if message:
            return ExchangeFailure(detail.get("code") or "", "", message)
    inner = error.get("innererror") or {}
    internal = inner.get("internalException") or {}
    return ExchangeFailure(error.get("code") or "", internal.get("type") or inner.get("type") or "",
                           internal.get("message") or error.get("message") or inner.get("message") or "")


def exchange_error(status: int, body: object, cmdlet: str, retry_after: float | None = None) -> RemediationError:
    failure = parse_failure(body)
    text = failure.text or f"{cmdlet} failed with HTTP {status}"
    kw = {"service": SERVICE, "code": failure.short_type or failure.code}
    # Exchange answers a cmdlet the app's role does not grant as if the cmdlet did not exist.
    if status in (401, 403) or failure.short_type == "CommandNotFoundException":
        return PermissionError_(text, permission=PERMISSION, **kw)
    if failure.short_type.endswith("NotFoundException"):
        return NotFoundError(text, **kw)
    if status == 429:
        return error_for_status(status, text, retry_after=retry_after, **kw)
    if TRANSIENT_TYPES.search(failure.short_type):
        return TransientError(text, **kw)
    if cmdlet.lower() == UNBLOCK_CMDLET and (UNBLOCK_CAP_TYPES.search(failure.short_type)
                                             or UNBLOCK_CAP_WORDS.search(text)):
        return UnblockCapError(text, **kw)
    return error_for_status(status, text, retry_after=retry_after, **kw)
