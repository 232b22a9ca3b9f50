"""Evidence: what the attacker sent and where they signed in, read once the sessions are revoked.

Both reads are read-only, run together and beside the playbook's other steps, and never fail
the job: an error becomes the evidence's own `available: false` with the service's words.
Message bodies are never read (the message trace has none); subjects are kept only while
EVIDENCE_SUBJECTS is true.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta

from remediation.context import Context
from remediation.errors import LicenceError, PermissionError_, RemediationError
from remediation.models import REVOKE_SESSIONS, Job, iso, parse_iso
from remediation.steps.context import looked_up, mailbox_of
from remediation.tenant import DirectoryUser
from remediation.tenant_activity import LEGACY_CLIENTS, MessageTrace, SignIn

MESSAGE_LIMIT = 5000                   # rows of the message trace read at most
SENT_WINDOW = timedelta(hours=48)      # before the block
SIGN_IN_WINDOW = timedelta(days=7)     # before the block
HISTORY_WINDOW = timedelta(days=30)    # before the sign-in window: the user's usual countries
TOP = 5
TRACE_ID_KEY = "messagetraceid"        # in the block's Reason, any casing


def ranked(counts: Counter, top: int | None = None) -> list[tuple[str, int]]:
    """Most frequent first; ties in name order, so a summary reads the same every time."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]


def anchor(job: Job, now: datetime) -> datetime:
    """The block's time (or the job's, for a block never confirmed)."""
    created = (job.block or {}).get("createdDatetime")
    try:
        return parse_iso(created) or parse_iso(job.createdAt) or now
    except ValueError:
        return parse_iso(job.createdAt) or now


async def gather(context: Context, job: Job, user: DirectoryUser, mailbox: str) -> dict:
    now = context.clock()
    blocked = anchor(job, now)
    sent, sign_ins = await asyncio.gather(_sent(context, job, mailbox, blocked, now),
                                          _sign_ins(context, user, blocked))
    return {"collectedAt": iso(now), "sent": sent, "signIns": sign_ins}


def _unavailable(exc: RemediationError) -> dict:
    why = "the tenant lacks the licence" if isinstance(exc, LicenceError) else (
        "the app lacks the permission" if isinstance(exc, PermissionError_) else "the read failed")
    return {"available": False, "reason": f"not available: {why}: {exc}"}


async def _sent(context: Context, job: Job, mailbox: str, blocked: datetime, now: datetime) -> dict:
    start = blocked - SENT_WINDOW
    try:
        trace = await context.ports.exchange.message_trace(mailbox, start, now, MESSAGE_LIMIT)
    except RemediationError as exc:
        return _unavailable(exc)
    reason_parts = (job.block or {}).get("reasonParts") or {}
    trace_id = next((value for key, value in reason_parts.items() if key.lower() == TRACE_ID_KEY), None)
    return {"available": True, "from": iso(start), "to": iso(now), "messageTraceId": trace_id,
            **sent_summary(trace, context.settings.evidence_subjects)}


def sent_summary(trace: MessageTrace, subjects: bool) -> dict:
    rows = trace.messages
    # A row is one message to one recipient: a message is its MessageTraceId.
    messages = len({row.trace_id for row in rows if row.trace_id}) + sum(1 for row in rows if not row.trace_id)
    recipients = {row.recipient.lower() for row in rows if row.recipient}
    domains = Counter(recipient.rpartition("@")[2] for recipient in recipients)
    times = sorted(row.received for row in rows if row.received)
    summary = {
        "messages": messages, "recipients": len(recipients), "rows": len(rows), "cut": trace.cut,
        "limit": MESSAGE_LIMIT,
        "topRecipientDomains": [{"domain": domain, "count": count} for domain, count in ranked(domains, TOP)],
        "first": iso(times[0]) if times else None, "last": iso(times[-1]) if times else None,
    }
    if subjects:
        by_message = {row.trace_id or id(row): row.subject for row in rows}
        counted = Counter(by_message.values())
        summary["topSubjects"] = [{"subject": subject, "count": count} for subject, count in ranked(counted, TOP)]
    else:
        summary["topSubjects"] = None   # EVIDENCE_SUBJECTS=false
    return summary


async def _sign_ins(context: Context, user: DirectoryUser, blocked: datetime) -> dict:
    since = blocked - SIGN_IN_WINDOW
    try:
        records = await context.ports.directory.sign_ins(user.id, since - HISTORY_WINDOW)
    except RemediationError as exc:
        return _unavailable(exc)
    return {"available": True, "from": iso(since), **sign_in_summary(records, since)}


def sign_in_summary(records: list[SignIn], since: datetime) -> dict:
    recent = [item for item in records if item.created and item.created >= since]
    before = {item.country for item in records if item.created and item.created < since and item.country}
    ips: dict[str, dict] = {}
    for item in sorted(recent, key=lambda record: record.created):
        seen = ips.setdefault(item.ip, {"ip": item.ip, "country": item.country, "city": item.city,
                                        "firstSeen": iso(item.created), "count": 0})
        seen["lastSeen"], seen["count"] = iso(item.created), seen["count"] + 1
    apps = Counter(item.client_app for item in recent if item.client_app)
    times = sorted(item.created for item in recent)
    countries = sorted({item.country for item in recent if item.country} - before)
    return {
        "signIns": len(recent), "ips": list(ips.values()),
        "clientApps": [{"app": app, "count": count, "legacy": app in LEGACY_CLIENTS}
                       for app, count in ranked(apps)],
        "first": iso(times[0]) if times else None, "last": iso(times[-1]) if times else None,
        "newCountries": countries,
    }


class Collector:
    """One playbook run's evidence read: started once the sessions are revoked (never before: it must
    not delay containment), awaited before the summary mail that shows it. A job keeps the first
    evidence saved; a redelivered run whose job has it reads nothing again."""

    def __init__(self, context: Context, users: dict[str, DirectoryUser]) -> None:
        self.context = context
        self.users = users
        self.task: asyncio.Task | None = None

    def start(self, job: Job) -> None:
        if self.task is None and job.evidence is None and job.step(REVOKE_SESSIONS).finished:
            self.task = asyncio.create_task(self._collect(job))

    async def settle(self) -> None:
        if self.task is not None:
            await self.task

    async def _collect(self, job: Job) -> None:
        try:
            user = await looked_up(self.context.ports.directory, self.users, job.user)
            evidence = await gather(self.context, job, user, mailbox_of(user))
        except RemediationError as exc:
            evidence = {"collectedAt": iso(self.context.clock()), "error": str(exc)}

        def decide(current: Job) -> bool:
            if current.evidence is not None:
                return False
            current.evidence = evidence
            return True
        try:
            await self.context.journal.change(job.id, decide)
        except RemediationError:
            pass   # the job kept changing under us: the evidence is lost, the job is not
