"""Plain data of the domain: jobs and their steps (what the tenant holds is in tenant.py).

`Job.to_json()` is the job JSON of DESIGN.md section 3 (a public contract): `id`, `user`,
`status`, `mode`, `trigger`, `createdAt`, `updatedAt`, `steps` of `{name, status,
startedAt, endedAt, detail}`, plus our extensions.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from remediation.errors import UnreadableValueError
from remediation.records import AuditEntry, Decision

# Job statuses (contract).
QUEUED, RUNNING, AWAITING_APPROVAL, AWAITING_RELEASE = "queued", "running", "awaiting_approval", "awaiting_release"
RESOLVED, ESCALATED, FAILED, CANCELLED, PLANNED = "resolved", "escalated", "failed", "cancelled", "planned"
JOB_STATUSES = (QUEUED, RUNNING, AWAITING_APPROVAL, AWAITING_RELEASE, RESOLVED, ESCALATED, FAILED, CANCELLED, PLANNED)
TERMINAL_STATUSES = (RESOLVED, ESCALATED, FAILED, CANCELLED, PLANNED)

# Step names (contract), in playbook order. `follow_up` runs from its own message.
CONFIRM_BLOCK, RESET_PASSWORD, REVOKE_SESSIONS = "confirm_block", "reset_password", "revoke_sessions"
INBOX_RULES, MAILBOX_FORWARDING = "inbox_rules", "mailbox_forwarding"
MAILBOX_DELEGATES, LEGACY_PROTOCOLS = "mailbox_delegates", "legacy_protocols"
APP_CONSENTS, AUTH_METHODS, IDENTITY_RISK = "app_consents", "auth_methods", "identity_risk"
UNBLOCK_SENDER, NOTIFY, FOLLOW_UP = "unblock_sender", "notify", "follow_up"
STEP_NAMES = (CONFIRM_BLOCK, RESET_PASSWORD, REVOKE_SESSIONS, INBOX_RULES, MAILBOX_FORWARDING, MAILBOX_DELEGATES,
              APP_CONSENTS, AUTH_METHODS, LEGACY_PROTOCOLS, IDENTITY_RISK, UNBLOCK_SENDER, NOTIFY, FOLLOW_UP)

# Step statuses. `pending` means not reached yet.
PENDING, DONE, SKIPPED, MANUAL, STEP_PLANNED, STEP_FAILED = "pending", "done", "skipped", "manual", "planned", "failed"
FINISHED_STEP_STATUSES = (DONE, SKIPPED, MANUAL, STEP_PLANNED, STEP_FAILED)

# Job modes (contract).
ENFORCE, DRY_RUN = "enforce", "dry-run"
MODES = (DRY_RUN, ENFORCE)

# Trigger sources (job.trigger.source).
ADMIN_SOURCE, SWEEP_SOURCE, ALERTS_V2_SOURCE = "admin", "sweep", "alerts_v2"
O365_SOURCE, AZURE_MONITOR_SOURCE, SENTINEL_SOURCE = "o365", "azure-monitor", "sentinel"

# Decision kinds (job.decisions): the app's holds, the humans' approvals and cancellations, and
# the app's switch of a queued job to a dry run (spelled as the mode).
HOLD, APPROVE, CANCEL, EXPIRE = "hold", "approve", "cancel", "expire"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


# Exchange's other renderings of a date: the .NET JSON date (milliseconds since 1970 UTC; the
# offset after them is informational) and the en-US culture's format.
_DOTNET_DATE = re.compile(r"/Date\((-?\d+)(?:[+-]\d{4})?\)/")
_US_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S")


def parse_iso(text: str | None) -> datetime | None:
    """ISO 8601 (ours, Graph's), or `/Date(1732780800000)/`, or `11/28/2026 7:00:00 AM`; a time
    without a zone is UTC. None for no text, UnreadableValueError (a ValueError) for anything else."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if not isinstance(text, str):
        raise UnreadableValueError(f"not a date: {text!r}")
    text = text.strip()
    dotnet = _DOTNET_DATE.fullmatch(text)
    if dotnet:
        try:
            return datetime.fromtimestamp(int(dotnet[1]) / 1000, tz=timezone.utc)
        except (OverflowError, OSError, ValueError) as exc:
            raise UnreadableValueError(f"not a date: {text!r} ({exc})") from None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = _us_date(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _us_date(text: str) -> datetime:
    for layout in _US_FORMATS:
        try:
            return datetime.strptime(text, layout)
        except ValueError:
            continue
    raise UnreadableValueError(f"not a date: {text!r}")


def normalize_user(user: str) -> str:
    """Exchange may return an address in other casing: users are keyed in lower case."""
    return user.strip().lower()


@dataclass
class Trigger:
    source: str                     # one of the *_SOURCE names above
    alert_id: str = ""
    requested_by: str = ""          # the admin's UPN / object id, or the alert source's name
    reason: str = ""
    requested_by_id: str = ""       # the requesting admin's Entra object id (who may not approve the job)

    def to_json(self) -> dict:
        return {"source": self.source, "alertId": self.alert_id or None,
                "requestedBy": self.requested_by or None, "reason": self.reason or None,
                "requestedById": self.requested_by_id or None}

    @classmethod
    def from_json(cls, data: dict) -> "Trigger":
        return cls(data.get("source", ""), data.get("alertId") or "", data.get("requestedBy") or "",
                   data.get("reason") or "", data.get("requestedById") or "")


@dataclass
class Step:
    name: str
    status: str = PENDING
    startedAt: str | None = None    # noqa: N815 - contract field names
    endedAt: str | None = None      # noqa: N815
    detail: str = ""
    data: dict = field(default_factory=dict)   # structured record of what was seen and changed

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STEP_STATUSES

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Job:
    id: str
    user: str
    status: str
    mode: str
    trigger: Trigger
    createdAt: str                  # noqa: N815 - contract field names
    updatedAt: str                  # noqa: N815
    steps: list[Step] = field(default_factory=lambda: [Step(name) for name in STEP_NAMES])
    force: bool = False
    block: dict | None = None       # Block.to_json() once confirmed
    snapshot: dict = field(default_factory=dict)     # what was there before any change, per step
    audit: list[AuditEntry] = field(default_factory=list)  # every tenant action, and the humans' decisions
    checks: list[dict] = field(default_factory=list)  # follow-up checks
    decisions: list[Decision] = field(default_factory=list)  # holds, approvals, cancellations
    unblocked_at: str | None = None
    follow_up_due_at: str | None = None
    summary: str = ""
    evidence: dict | None = None    # remediation/evidence.py: what was sent, where the attacker signed in
    watch: dict | None = None       # remediation/watch.py: until, checks made, findings, outcome
    linked_jobs: list[str] = field(default_factory=list)   # a job a new block during the watch started, and back
    rollbacks: list[dict] = field(default_factory=list)   # each rollback: who, why, what it restored
    etag: str | None = field(default=None, compare=False)

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    def to_json(self, base_url: str = "") -> dict:
        body = {
            "id": self.id, "user": self.user, "status": self.status, "mode": self.mode,
            "trigger": self.trigger.to_json(), "createdAt": self.createdAt, "updatedAt": self.updatedAt,
            "steps": [step.to_json() for step in self.steps], "force": self.force, "block": self.block,
            "snapshot": self.snapshot, "audit": [item.to_json() for item in self.audit], "checks": self.checks,
            "decisions": [decision.to_json() for decision in self.decisions],
            "unblockedAt": self.unblocked_at, "followUpDueAt": self.follow_up_due_at, "summary": self.summary,
            "evidence": self.evidence, "watch": self.watch, "linkedJobs": self.linked_jobs,
            "rollbacks": self.rollbacks,
        }
        if base_url:
            body["url"] = f"{base_url.rstrip('/')}/api/remediations/{self.id}"
        return body

    @classmethod
    def from_json(cls, data: dict, etag: str | None = None) -> "Job":
        return cls(
            id=data["id"], user=data["user"], status=data["status"], mode=data["mode"],
            trigger=Trigger.from_json(data.get("trigger") or {}), createdAt=data["createdAt"],
            updatedAt=data["updatedAt"], steps=[Step(**step) for step in data.get("steps", [])],
            force=bool(data.get("force")), block=data.get("block"), snapshot=data.get("snapshot") or {},
            audit=[AuditEntry.from_json(item) for item in data.get("audit") or []], checks=data.get("checks") or [],
            decisions=[Decision.from_json(item) for item in data.get("decisions") or []],
            unblocked_at=data.get("unblockedAt"), follow_up_due_at=data.get("followUpDueAt"),
            summary=data.get("summary") or "", evidence=data.get("evidence"), rollbacks=data.get("rollbacks") or [],
            watch=data.get("watch"), linked_jobs=list(data.get("linkedJobs") or []), etag=etag,
        )
