"""`Remediations`: the one entry point the handlers call (docs/ARCHITECTURE.md has the table).

Handlers translate a trigger into one of these calls and map the result back; nothing
here calls Microsoft inline from a request (`request` only touches Storage), so webhooks
answer at once and the worker does the rest.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime
from typing import Callable

from remediation.audit import Journal, entry
from remediation.errors import ConflictError, NotFoundError, PermanentError, RequestError
from remediation.follow_up import FollowUp
from remediation.models import (
    AWAITING_APPROVAL, CANCELLED, DRY_RUN, QUEUED, SKIPPED, Job, Trigger, iso,
    normalize_user, utcnow,
)
from remediation.operations import Operations
from remediation.queue_work import ALERT, QueueWork, run_message
from remediation.playbook import Playbook, hold, release_active
from remediation.policies import breaker_reason, is_automatic, listed_as_protected, own_job
from remediation.ports import Directory, ExchangeAdmin, JobStore, Page, WorkQueue
from remediation.settings import Settings
from remediation.steps.context import Ports
from remediation.tenant import DirectoryUser

log = logging.getLogger(__name__)
ACTIVE = "active"
HOLDER_WAITS = (0.05, 0.1, 0.2, 0.4, 0.8)   # seconds; a job is saved right after its claim


class Remediations(Operations, QueueWork):
    def __init__(self, settings: Settings, *, directory: Directory, exchange: ExchangeAdmin, store: JobStore,
                 queue: WorkQueue, management=None, clock: Callable[[], datetime] = utcnow) -> None:
        self.settings = settings
        self.ports = Ports(directory, exchange, store, queue)
        self.management = management   # the Management Activity API fetcher (fetch_content messages)
        self.clock = clock
        self.journal = Journal(store, clock)
        self.playbook = Playbook(self.ports, settings, clock, self.journal)
        self.follow_up = FollowUp(self.ports, settings, clock, self.journal)

    # -- jobs -------------------------------------------------------------------------------------

    async def request(self, user: str, trigger: Trigger, *, mode: str | None = None,
                      force: bool = False) -> tuple[Job, bool]:
        """Start a job for `user`, or return the user's active one (created False)."""
        user = normalize_user(user)
        store = self.ports.store
        alert_key = f"{trigger.source}|{trigger.alert_id}|{user}" if trigger.alert_id else ""
        if alert_key:
            started = await self._existing(await store.claimed(ALERT, alert_key))
            if started:
                return started, False
        now = self.clock()
        job = Job(id=str(uuid.uuid4()), user=user, status=QUEUED, mode=mode or self.settings.mode, trigger=trigger,
                  createdAt=iso(now), updatedAt=iso(now), force=force)
        active = await self._claim_active(user, job.id)
        if active:
            return active, False
        await self._hold_if_needed(job, now)
        job = await store.add(job)
        if alert_key:
            await store.claim(ALERT, alert_key, job.id)
        await self.ports.queue.send(run_message(job.id))
        return job, True

    async def _claim_active(self, user: str, job_id: str) -> Job | None:
        """Claims the user's `active` marker for job_id; the job already holding it, if any."""
        store = self.ports.store
        for _ in range(2):
            holder_id = await store.claim(ACTIVE, user, job_id)
            if holder_id is None:
                return None
            holder = await self._holder(holder_id)
            if holder is not None and not holder.terminal:
                return holder
            await store.release(ACTIVE, user, holder_id)   # a stale marker: its job ended or was never saved
        raise ConflictError(f"the active job marker of {user} keeps changing")

    async def _holder(self, job_id: str) -> Job | None:
        """The job a marker names. A concurrent request claims before it saves its job, so a
        missing job is waited for briefly before the marker is taken for an orphan."""
        for delay in HOLDER_WAITS:
            holder = await self._existing(job_id)
            if holder is not None:
                return holder
            await asyncio.sleep(delay)
        return await self._existing(job_id)

    async def _hold_if_needed(self, job: Job, now: datetime) -> None:
        """Protected accounts listed by address, and automatic jobs past the breaker, wait for a human."""
        protected = listed_as_protected(self.settings, job.user)
        breaker = await breaker_reason(self.settings, self.ports.store, now) if is_automatic(job) else None
        reason = protected or breaker
        if not reason or job.mode == DRY_RUN:
            return
        job.status, job.summary = AWAITING_APPROVAL, f"Waiting for approval: {reason}."
        job.decisions.append(hold(now, reason, breaker=not protected))

    async def _existing(self, job_id: str | None) -> Job | None:
        if not job_id:
            return None
        try:
            return await self.ports.store.get(job_id)
        except NotFoundError:
            return None

    async def get(self, job_id: str) -> Job:
        return await self.ports.store.get(job_id)

    async def query(self, user: str | None = None, status: str | None = None, continuation: str | None = None,
                    limit: int = 50) -> Page:
        return await self.ports.store.query(user=normalize_user(user) if user else None, status=status,
                                            limit=limit, continuation=continuation)

    async def approve(self, job_id: str, by: str, comment: str = "") -> Job:
        job = await self._decide(job_id, by, "approve", comment)
        await self.ports.queue.send(run_message(job.id))
        return job

    async def cancel(self, job_id: str, by: str, comment: str = "") -> Job:
        job = await self._decide(job_id, by, "cancel", comment)
        await release_active(self.ports, job)
        return job

    async def _decide(self, job_id: str, by: str, decision: str, comment: str) -> Job:
        found = await self.get(job_id)
        if own_job(by, found.user, await self._directory_user(found.user)):
            raise RequestError(f"{by} is the user of job {job_id}: a user cannot {decision} their own remediation",
                               status=403)

        def decide(job: Job) -> bool:
            if decision == "approve" and job.status != AWAITING_APPROVAL:
                raise RequestError(f"job {job.id} is {job.status}, not awaiting_approval", status=409)
            if job.terminal:
                raise RequestError(f"job {job.id} has already ended: {job.status}", status=409)
            now = self.clock()
            job.decisions.append({"at": iso(now), "by": by, "decision": decision, "comment": comment})
            result = QUEUED if decision == "approve" else CANCELLED
            job.audit.append(entry(now, decision, job.user, comment or f"{decision} by an admin", result, actor=by))
            job.status, job.summary = result, f"{decision.capitalize()}d by {by}" + (f": {comment}" if comment else ".")
            if result == CANCELLED:
                for step in job.steps:
                    if not step.finished:
                        step.status, step.detail = SKIPPED, f"Not run: cancelled by {by}."
            return True
        return await self.journal.change(job_id, decide)

    async def _directory_user(self, user: str) -> DirectoryUser | None:
        """The user's directory entry, for the names they go by; None when it cannot be read."""
        try:
            return await self.ports.directory.get_user(user)
        except PermanentError as exc:
            log.warning("could not read %s from the directory, compared by the job's address only: %s", user, exc)
            return None
