"""What the tenant ports return about an account's activity: the message trace and Entra ID's
sign-ins (the evidence), typed and frozen like remediation/tenant.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

@dataclass(frozen=True)
class TracedMessage:
    """One row of Exchange's message trace (Get-MessageTraceV2): one message to one recipient."""

    received: datetime | None
    recipient: str
    subject: str = ""
    status: str = ""
    trace_id: str = ""       # MessageTraceId


@dataclass(frozen=True)
class MessageTrace:
    messages: tuple[TracedMessage, ...]
    cut: bool = False        # more rows were there than the limit asked for


# Entra ID's clientAppUsed values of the legacy protocols an attacker uses to send without MFA.
LEGACY_CLIENTS = ("Authenticated SMTP", "IMAP4", "POP3")


@dataclass(frozen=True)
class SignIn:
    """One of Entra ID's sign-in records (auditLogs/signIns)."""

    created: datetime | None
    ip: str = ""
    country: str = ""
    city: str = ""
    client_app: str = ""      # clientAppUsed: "Browser", "Authenticated SMTP", "IMAP4", ...
