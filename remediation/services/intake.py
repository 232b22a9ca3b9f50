"""`Intake`: what every trigger calls to start work. A webhook, the admin API, the sweep and
the alert polls all come through `request`; the O365 webhook only enqueues its content.

Nothing here calls Microsoft (only Storage), and nothing waits: webhooks answer at once and
the worker does the rest.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Iterable

from remediation.context import Context
from remediation.audit import hold
from remediation.errors import ConflictError, RemediationError
from remediation.intake import AlertedUser
from remediation.jobs import existing
from remediation.messages import fetch_content_message, run_message
from remediation.models import AWAITING_APPROVAL, DRY_RUN, QUEUED, Job, Trigger, iso, normalize_user
from remediation.policies import breaker_reason, is_automatic, listed_as_protected
from remediation.ports import ACTIVE, ALERT


class Intake:
    def __init__(self, context: Context) -> None:
        self.context = context

    async def request(self, user: str, trigger: Trigger, *, mode: str | None = None,
                      force: bool = False) -> tuple[Job, bool]:
        """Start a job for `user`, or return the user's active one (created False)."""
        user = normalize_user(user)
        store = self.context.ports.store
        alert_key = f"{trigger.source}|{trigger.alert_id}|{user}" if trigger.alert_id else ""
        if alert_key:
            started = await existing(store, await store.claimed(ALERT, alert_key))
            if started:
                return started, False
        now = self.context.clock()
        job = Job(id=str(uuid.uuid4()), user=user, status=QUEUED, mode=mode or self.context.settings.mode,
                  trigger=trigger, createdAt=iso(now), updatedAt=iso(now), force=force)
        active = await self._claim_active(job)
        if active:
            return active, False
        await self._hold_if_needed(job, now)
        try:
            job = await store.add(job)
        except ConflictError:
            return await store.get(job.id), False   # a concurrent request saved the marker's job first
        if alert_key:
            await store.claim(ALERT, alert_key, job.id)
        await self.context.ports.queue.send(run_message(job.id))
        return job, True

    async def start_all(self, alerted: Iterable[AlertedUser], source: str, requested_by: str) -> list[Job]:
        """A job per alerted user of an alert source (see `request`); the jobs it started."""
        jobs = []
        for item in alerted:
            job, created = await self.request(item.user, Trigger(source, item.alert_id, requested_by))
            if created:
                jobs.append(job)
        return jobs

    async def _claim_active(self, job: Job) -> Job | None:
        """Claims the user's `active` marker for `job`; the job already holding it, if any.

        A marker whose job is not saved belongs to a request that is saving it right now, or to
        one that died before it could. Either way `job` takes that job's id, without waiting:
        whichever request saves first owns the job, and the other one returns it."""
        store = self.context.ports.store
        for _ in range(2):
            holder_id = await store.claim(ACTIVE, job.user, job.id)
            if holder_id is None:
                return None
            holder = await existing(store, holder_id)
            if holder is None:
                job.id = holder_id
                return None
            if not holder.terminal:
                return holder
            await store.release(ACTIVE, job.user, holder_id)   # a stale marker: its job ended
        raise ConflictError(f"the active job marker of {job.user} keeps changing")

    async def _hold_if_needed(self, job: Job, now: datetime) -> None:
        """Protected accounts listed by address, and automatic jobs past the breaker, wait for a human."""
        settings = self.context.settings
        protected = listed_as_protected(settings, job.user)
        breaker = None
        if is_automatic(job):
            count = await self.context.ports.store.count_automatic_job(now)   # counts this job
            breaker = breaker_reason(settings, count)
        reason = protected or breaker
        if not reason or job.mode == DRY_RUN:
            return
        job.status, job.summary = AWAITING_APPROVAL, f"Waiting for approval: {reason}."
        job.decisions.append(hold(now, reason, breaker=not protected))

    async def enqueue_content(self, pointers: list[dict]) -> int:
        """A `fetch_content` message per new contentId of a webhook notification; returns how many."""
        store, sent = self.context.ports.store, 0
        for pointer in pointers:
            key = f"content|{pointer['contentId']}"
            if await store.claim(ALERT, key, pointer["contentId"]):
                continue   # notified before: the Management API retries and repeats itself
            try:
                await self.context.ports.queue.send(fetch_content_message(pointer))
            except RemediationError:
                await store.release(ALERT, key, pointer["contentId"])
                raise
            sent += 1
        return sent
