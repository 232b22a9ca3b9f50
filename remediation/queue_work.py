"""The queue-worker half of `Remediations`: one `handle()` for every message kind (`run`,
`follow_up`, `fetch_content`), throttle deferrals, failing a job on its last attempt, and
the O365 webhook's content pointers.

A mixin of `Remediations` (remediation/service.py), which provides `ports`, `settings`,
`clock`, `journal`, `playbook`, `follow_up`, `management` and `request()`.
"""

from __future__ import annotations

import logging
import math

from remediation import intake
from remediation.errors import (
    ConfigurationError, ConflictError, NotFoundError, PermanentError, RemediationError, RequestError, ThrottledError,
)
from remediation.messages import DEFERRALS, FETCH_CONTENT, RUN, fetch_content_message
from remediation.models import FAILED, FOLLOW_UP, O365_SOURCE, STEP_FAILED, Job, Trigger, iso
from remediation.playbook import release_active
from remediation.ports import ALERT

log = logging.getLogger(__name__)
MAX_DEFERRALS, MAX_DEFERRAL_SECONDS = 8, 15 * 60   # throttled messages sent back later


class QueueWork:
    async def handle(self, message: dict, dequeue_count: int, max_dequeue_count: int) -> None:
        """Transient errors propagate (the host retries; a long throttle is deferred instead, see
        `_deferred`); the last attempt marks the job failed first."""
        kind, job_id = message.get("kind"), message.get("jobId")
        if kind in (RUN, FOLLOW_UP) and not job_id:
            log.error("dropped a %s message without a jobId", kind)
            return
        try:
            if kind == RUN:
                # A deferred copy is a redelivery: the worker that deferred it has stopped.
                await self.playbook.run(job_id, redelivered=dequeue_count > 1 or bool(message.get(DEFERRALS)))
            elif kind == FOLLOW_UP:
                await self.follow_up.check(job_id, int(message.get("attempt") or 1))
            elif kind == FETCH_CONTENT:
                await self._fetch_content(message)
            else:
                log.error("dropped a queue message of unknown kind %r", kind)
        except ConflictError as exc:
            log.info("stopped: %s", exc)   # another worker has the job
        except PermanentError as exc:
            if not job_id:
                raise
            await self._fail(job_id, str(exc))   # retrying cannot help
        except Exception as exc:
            if await self._deferred(message, exc):
                return
            if job_id and dequeue_count >= max_dequeue_count:
                await self._fail(job_id, f"gave up after {dequeue_count} attempts: {exc}")
            raise

    async def _deferred(self, message: dict, exc: Exception) -> bool:
        """A service that asks for a longer wait than the gateway waits inline (RETRY_MAX_WAIT_SECONDS)
        gets it: a copy of the message comes back after its Retry-After (15 min at most), instead of
        the host's quick retries using up the attempts. MAX_DEFERRALS times, then as any failure."""
        wait = exc.retry_after if isinstance(exc, ThrottledError) else None
        deferrals = int(message.get(DEFERRALS) or 0)
        if not wait or wait <= self.settings.retry_max_wait_seconds or deferrals >= MAX_DEFERRALS:
            return False
        delay = math.ceil(min(wait, MAX_DEFERRAL_SECONDS))
        await self.ports.queue.send({**message, DEFERRALS: deferrals + 1}, delay_seconds=delay)
        log.warning("throttled (%s): the %s message comes back in %d s (deferral %d of %d)", exc,
                    message.get("kind"), delay, deferrals + 1, MAX_DEFERRALS)
        return True

    async def _fail(self, job_id: str, reason: str) -> None:
        def decide(job: Job) -> bool:
            if job.terminal:
                return False
            job.status, job.summary = FAILED, f"Failed: {reason}"
            for step in job.steps:
                if step.startedAt and not step.finished:
                    step.status, step.endedAt, step.detail = STEP_FAILED, iso(self.clock()), reason
            return True
        try:
            job = await self.journal.change(job_id, decide)
        except NotFoundError:
            log.error("job %s to mark failed does not exist: %s", job_id, reason)
            return
        await release_active(self.ports, job)
        if job.status == FAILED:
            await self.playbook.report_failure(job)

    async def _fetch_content(self, message: dict) -> list[Job]:
        if self.management is None:
            raise ConfigurationError("no Management Activity API client to fetch content with")
        try:
            records = await self.management.fetch_content(message["contentUri"])
        except (RequestError, PermanentError) as exc:
            # A refused URI or a permanent answer does not get better with retries; the blocked-list
            # sweep still finds the user.
            log.error("dropped content %s: %s", message.get("contentId"), exc)
            return []
        jobs = []
        for alerted in intake.restricted_sender_alerts(records, self.settings.alert_name):
            trigger = Trigger(O365_SOURCE, alerted.alert_id, "Office 365 Management Activity API")
            job, created = await self.request(alerted.user, trigger)
            if created:
                jobs.append(job)
        return jobs

    async def enqueue_content(self, pointers: list[dict]) -> int:
        """A `fetch_content` message per new contentId of a webhook notification; returns how many."""
        sent = 0
        for pointer in pointers:
            key = f"content|{pointer['contentId']}"
            if await self.ports.store.claim(ALERT, key, pointer["contentId"]):
                continue   # notified before: the Management API retries and repeats itself
            try:
                await self.ports.queue.send(fetch_content_message(pointer))
            except RemediationError:
                await self.ports.store.release(ALERT, key, pointer["contentId"])
                raise
            sent += 1
        return sent
