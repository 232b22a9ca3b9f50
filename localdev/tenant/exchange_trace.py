"""Get-MessageTraceV2 over what a scenario says a user sent.

A user's `sentSpam: {count, from, to, domains, subjects}` is generated into message trace rows
deterministically (from the scenario's seed and the user): `count` messages, evenly spaced
from `from` to `to`, each to one to three recipients at the listed domains. Explicit rows go under
`messageTrace` (Received, RecipientAddress, Subject, Status).

As Microsoft documents: rows newest first; -ResultSize 1 to 5000 (default 1000); at most 10
days per query and 90 days back; no pages: the next query passes the last row's
RecipientAddress as -StartingRecipientAddress and its Received as -EndDate.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from localdev.tenant import exchange_errors as errors
from localdev.tenant.exchange_format import exchange_datetime, record
from localdev.tenant.state import TenantState

CMDLET = "Get-MessageTraceV2"
DEFAULT_SIZE, MAX_SIZE = 1000, 5000
MAX_SPAN, MAX_AGE = timedelta(days=10), timedelta(days=90)
FROM_IP = "203.0.113.45"   # documentation range: the attacker's client


def _moment(name: str, value: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise errors.invalid_argument(CMDLET, name, value, "cannot be converted to System.DateTime") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _generated(state: TenantState, user: dict) -> list[dict]:
    spam = user.get("sentSpam") or {}
    count = int(spam.get("count") or 0)
    if not count:
        return []
    rng = random.Random(f"{state.seed}/{user['userPrincipalName']}")
    start, end = _moment("from", spam["from"]), _moment("to", spam["to"])
    step = (end - start) / max(count - 1, 1)
    domains, subjects = spam.get("domains") or ["example.net"], spam.get("subjects") or ["Invoice"]
    rows = []
    for number in range(count):
        received = (start + step * number).replace(microsecond=0)
        subject = subjects[rng.randrange(len(subjects))]
        for _ in range(rng.randint(1, 3)):
            recipient = f"user{rng.randrange(10000)}@{domains[rng.randrange(len(domains))]}"
            rows.append({"Received": received.isoformat(), "RecipientAddress": recipient, "Subject": subject,
                         "Status": "Delivered", "trace": number})
    return rows


def _rows(state: TenantState, user: dict) -> list[dict]:
    """The user's trace rows (generated again on each call: the same every time)."""
    return _generated(state, user) + list(user.get("messageTrace") or [])


def _trace_row(state: TenantState, user: dict, row: dict) -> dict:
    key = f"{user['userPrincipalName']}/{row.get('trace', row['Received'])}"
    trace_id = str(uuid.uuid5(uuid.NAMESPACE_URL, key))
    return record(
        ("Organization", state.domains[0]["id"] if state.domains else ""),
        ("MessageId", f"<{trace_id[:8]}@{user['userPrincipalName'].partition('@')[2]}>"),
        ("Received", exchange_datetime(row["Received"]), "DateTime"),
        ("SenderAddress", user["userPrincipalName"]), ("RecipientAddress", row["RecipientAddress"]),
        ("Subject", row.get("Subject", "")), ("Status", row.get("Status", "Delivered")),
        ("ToIP", None), ("FromIP", FROM_IP), ("Size", 4096), ("MessageTraceId", trace_id),
    )


def _size(params: dict) -> int:
    size = params.get("ResultSize", DEFAULT_SIZE)
    if not str(size).isdigit() or not 1 <= int(size) <= MAX_SIZE:
        raise errors.invalid_argument(CMDLET, "ResultSize", size, f"must be between 1 and {MAX_SIZE}")
    return int(size)


def _window(state: TenantState, params: dict) -> tuple[datetime, datetime]:
    now = state.now()
    end = _moment("EndDate", params["EndDate"]) if params.get("EndDate") else now
    start = _moment("StartDate", params["StartDate"]) if params.get("StartDate") else end - timedelta(hours=48)
    if end - start > MAX_SPAN:
        raise errors.invalid_argument(CMDLET, "StartDate", params.get("StartDate"),
                                      "is more than 10 days before EndDate: query at most 10 days at a time")
    if start < now - MAX_AGE:
        raise errors.invalid_argument(CMDLET, "StartDate", params.get("StartDate"), "is older than 90 days")
    return start, end


def get_message_trace_v2(state: TenantState, params: dict) -> list[dict]:
    size = _size(params)
    start, end = _window(state, params)
    senders = params.get("SenderAddress")
    senders = {str(item).lower() for item in (senders if isinstance(senders, list) else [senders])} if senders else None
    after = str(params.get("StartingRecipientAddress") or "").lower()
    found = []
    for user in state.users:
        if senders is not None and user["userPrincipalName"].lower() not in senders \
                and str(user.get("mail") or "").lower() not in senders:
            continue
        for row in _rows(state, user):
            received = _moment("Received", row["Received"])
            if received < start or received > end:
                continue
            if after and received == end and row["RecipientAddress"].lower() <= after:
                continue   # the previous query's last row and those before it
            found.append((received, row["RecipientAddress"].lower(), _trace_row(state, user, row)))
    found.sort(key=lambda item: (-item[0].timestamp(), item[1]))
    return [item[2] for item in found[:size]]
