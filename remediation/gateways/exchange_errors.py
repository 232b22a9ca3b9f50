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
PERMISSION = "Exchange.ManageAsApp and the app's Exchange role group (the script python -m remediation.setup writes)"
UNBLOCK_CMDLET = "remove-blockedsenderaddress"
# Microsoft publishes no text for its cap on unblocks (past it only Support can release the
# sender): match its exception type, or phrases about the unblock/release limit itself. Bare
# words ("limit", "exceeded", "released") also occur in throttling and quota errors, which
# must stay retryable, so they are not enough.
UNBLOCK_CAP_TYPE = "UnblockLimitExceededException"
UNBLOCK_CAP_PHRASES = re.compile(
    r"\b(?:unblock|release)s?\s+(?:limit|cap)\b"
    r"|\b(?:unblocked|released|removed)\b(?:\s+\w+){0,3}\s+(?:the\s+)?maximum number of times"
    r"|\bmaximum number of (?:unblocks|releases)\b"
    r"|\b(?:unblocked|released) too many times\b"
    r"|\bcan(?:no|')t be (?:unblocked|released) (?:again|any more|anymore)\b",
    re.IGNORECASE)
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


def _object(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def parse_failure(body: object) -> ExchangeFailure:
    """The most specific account of the failure that the body holds (parts of another shape count as absent)."""
    error = _object(body).get("error")
    if not isinstance(error, dict):
        return ExchangeFailure()
    details = error.get("details") if isinstance(error.get("details"), list) else []
    for detail in map(_object, details):
        message = _text(detail.get("message"))
        parts = message.split("|", 2)
        if len(parts) == 3:
            return ExchangeFailure(*parts)
        if message:
            return ExchangeFailure(_text(detail.get("code")), "", message)
    inner = _object(error.get("innererror"))
    internal = _object(inner.get("internalException"))
    return ExchangeFailure(_text(error.get("code")), _text(internal.get("type")) or _text(inner.get("type")),
                           _text(internal.get("message")) or _text(error.get("message")) or _text(inner.get("message")))


def is_unblock_cap(failure: ExchangeFailure) -> bool:
    return failure.short_type.endswith(UNBLOCK_CAP_TYPE) or bool(UNBLOCK_CAP_PHRASES.search(failure.text))


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
    if cmdlet.lower() == UNBLOCK_CMDLET and is_unblock_cap(failure):
        return UnblockCapError(text, **kw)
    return error_for_status(status, text, retry_after=retry_after, **kw)
