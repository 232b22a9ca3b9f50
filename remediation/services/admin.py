"""`Admin`: what the admin API reads and decides: jobs, approvals and cancellations, and the
blocked list with the job handling each entry."""

from __future__ import annotations

import logging

from remediation.audit import entry
from remediation.context import Context
from remediation.errors import NotAllowedError, PermanentError, StateConflictError
from remediation.jobs import existing, release_active
from remediation.messages import run_message
from remediation.models import (
    APPROVE, AWAITING_APPROVAL, CANCEL, CANCELLED, QUEUED, SKIPPED, Job, iso, normalize_user,
)
from remediation.policies import own_job, requested_it
from remediation.ports import ACTIVE, BLOCK, Page
from remediation.records import Decision, Identity
from remediation.rollback import Rollback
from remediation.steps.confirm_block import block_key
from remediation.tenant import DirectoryUser

log = logging.getLogger(__name__)


class Admin:
    def __init__(self, context: Context) -> None:
        self.context = context

    async def get(self, job_id: str) -> Job:
        return await self.context.ports.store.get(job_id)

    async def query(self, user: str | None = None, status: str | None = None, continuation: str | None = None,
                    limit: int = 50) -> Page:
        return await self.context.ports.store.query(user=normalize_user(user) if user else None, status=status,
                                                    limit=limit, continuation=continuation)

    async def approve(self, job_id: str, by: Identity, comment: str = "") -> Job:
        job = await self._decide(job_id, by, APPROVE, comment)
        await self.context.ports.queue.send(run_message(job.id))
        return job

    async def cancel(self, job_id: str, by: Identity, comment: str = "") -> Job:
        job = await self._decide(job_id, by, CANCEL, comment)
        await release_active(self.context.ports.store, job)
        return job

    async def rollback(self, job_id: str, by: Identity, reason: str, items: list[str] | None = None) -> Job:
        """Restore what job `job_id` changed and can be restored (remediation/rollback.py)."""
        return await Rollback(self.context).run(job_id, str(by), reason, items)

    async def restricted_senders(self) -> list[dict]:
        """The blocked list, each entry with the id and status of the job that handles it (if any)."""
        store, items = self.context.ports.store, []
        for block in await self.context.ports.exchange.blocked_senders():
            user = normalize_user(block.sender)
            job = await existing(store, await store.claimed(BLOCK, block_key(user, block.created))
                                 or await store.claimed(ACTIVE, user))
            items.append({**block.to_json(), "jobId": job and job.id, "jobStatus": job and job.status})
        return items

    async def _decide(self, job_id: str, by: Identity, decision: str, comment: str) -> Job:
        found = await self.get(job_id)
        if own_job(by, found.user, await self._directory_user(found.user)):
            raise NotAllowedError(f"{by} is the user of job {job_id}: a user cannot {decision} their own remediation")
        if decision == APPROVE and requested_it(by, found):
            raise NotAllowedError(f"{by} requested job {job_id}: another admin must approve it")

        def decide(job: Job) -> bool:
            if decision == APPROVE and job.status != AWAITING_APPROVAL:
                raise StateConflictError(f"job {job.id} is {job.status}, not awaiting_approval")
            if job.terminal:
                raise StateConflictError(f"job {job.id} has already ended: {job.status}")
            now = self.context.clock()
            job.decisions.append(Decision(iso(now), str(by), decision, comment))
            result = QUEUED if decision == APPROVE else CANCELLED
            why = comment or f"{decision} by an admin"
            job.audit.append(entry(now, decision, job.user, why, result, actor=str(by)))
            job.status, job.summary = result, f"{decision.capitalize()}d by {by}" + (f": {comment}" if comment else ".")
            if result == CANCELLED:
                for step in job.steps:
                    if not step.finished:
                        step.status, step.detail = SKIPPED, f"Not run: cancelled by {by}."
            return True
        return await self.context.journal.change(job_id, decide)

    async def _directory_user(self, user: str) -> DirectoryUser | None:
        """The user's directory entry, for the names they go by; None when it cannot be read."""
        try:
            return await self.context.ports.directory.get_user(user)
        except PermanentError as exc:
            log.warning("could not read %s from the directory, compared by the job's address only: %s", user, exc)
            return None
