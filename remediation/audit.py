"""The job's record: the one function that changes a job, and how the app writes the
entries of its history (`remediation.records`).

Every write of a job goes through `Journal.change`: read, let the caller decide on the
fresh copy, save with the ETag. When the save loses a race the job is re-read and the
caller decides again on what is there now; a caller that finds the job no longer its own
raises `ConflictError`, which stops that worker (another one has the job).
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from remediation.errors import ConflictError
from remediation.models import HOLD, Job, iso
from remediation.ports import JobStore
from remediation.records import APP_ACTOR, AuditEntry, Decision

MAX_RACES = 8   # a job has few writers; losing this often means something else is wrong


def entry(at: datetime, action: str, target: str, why: str, result: str = "ok", actor: str = APP_ACTOR) -> AuditEntry:
    return AuditEntry(iso(at), actor, action, target, why, result)


def hold(at: datetime, reason: str, *, breaker: bool = False) -> Decision:
    """The app's own decision to wait for a human, recorded next to the humans' decisions."""
    return Decision(iso(at), APP_ACTOR, HOLD, reason, breaker)


class Journal:
    def __init__(self, store: JobStore, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

    async def get(self, job_id: str) -> Job:
        return await self.store.get(job_id)

    async def change(self, job_id: str, decide: Callable[[Job], bool], job: Job | None = None) -> Job:
        """Apply `decide` to the job and save it. `decide` mutates the job and returns True to save,
        False to leave it as it is; it may raise ConflictError to give the job up.
        Returns the job as saved (or as found when nothing was to be saved)."""
        for _ in range(MAX_RACES):
            current = job if job is not None else await self.store.get(job_id)
            job = None
            if not decide(current):
                return current
            current.updatedAt = iso(self.clock())
            try:
                return await self.store.save(current)
            except ConflictError:
                continue   # somebody else saved first: decide again on their version
        raise ConflictError(f"job {job_id} kept changing under this worker; giving it up")
