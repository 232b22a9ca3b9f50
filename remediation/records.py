"""The typed records of a job's history, and the one place they meet the job JSON.

`job.decisions` holds `Decision`s (the app's holds, the humans' approvals and cancellations,
the switch of a queued job to a dry run); `job.audit` holds `AuditEntry`s (every change made
on the tenant, and every decision by a human). Their JSON keys are part of the job JSON of
DESIGN.md section 3: `to_json`/`from_json` below are the only code that spells them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

APP_ACTOR = "restricted-sender-responder (app)"


@dataclass(frozen=True)
class Identity:
    """Who asked, as their token names them: never parsed back from the text it is recorded as."""

    name: str = ""        # UPN / preferred_username of a user, the app's name (or "app <appId>") of an app
    object_id: str = ""   # Entra object id

    def __str__(self) -> str:
        """As a job records it (`requestedBy`, `decisions[].by`, `audit[].actor`): "name (object id)"."""
        if self.name and self.object_id:
            return f"{self.name} ({self.object_id})"
        return self.name or self.object_id


@dataclass(frozen=True)
class Decision:
    at: str
    by: str                      # an Identity as recorded, or APP_ACTOR
    decision: str                # HOLD, APPROVE, CANCEL, or DRY_RUN (models)
    comment: str = ""
    breaker: bool | None = None  # holds only: True for the breaker's, False for a protected account's

    def to_json(self) -> dict:
        body = {"at": self.at, "by": self.by, "decision": self.decision, "comment": self.comment}
        if self.breaker is not None:
            body["breaker"] = self.breaker
        return body

    @classmethod
    def from_json(cls, data: dict) -> "Decision":
        return cls(data["at"], data["by"], data["decision"], data.get("comment") or "", data.get("breaker"))


@dataclass(frozen=True)
class AuditEntry:
    at: str
    actor: str
    action: str
    target: str
    why: str
    result: str = "ok"           # "ok", or "failed: <the service's words>", or the job status a decision set

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "AuditEntry":
        return cls(**{field.name: data[field.name] for field in fields(cls)})
