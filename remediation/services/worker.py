"""`Worker`: the queue worker's one `handle()` for every message kind (`run`, `follow_up`,
`approval_timeout`, `fetch_content`), throttle deferrals, and failing a job on its last attempt."""

from __future__ import annotations

import logging
import math

from remediation import intake
from remediation.context import Context
from remediation.errors import (
    ConfigurationError, ConflictError, NotFoundError, PermanentError, RequestError, ThrottledError,
)
from remediation.follow_up import FollowUp
from remediation.jobs import release_active
from remediation.holds import expire_by_message
from remediation.messages import APPROVAL_TIMEOUT, DEFERRALS, FETCH_CONTENT, RUN, WATCH
from remediation.models import FAILED, FOLLOW_UP, O365_SOURCE, STEP_FAILED, Job, iso
from remediation.playbook import Playbook
from remediation.services.intake import Intake
from remediation.team_mail import report_failure
from remediation.watch import Watch

log = logging.getLogger(__name__)
MAX_DEFERRALS, MAX_DEFERRAL_SECONDS = 8, 15 * 60   # throttled messages sent back later


class Worker:
    def __init__(self, context: Context, intake: Intake, management=None) -> None:
        self.context = context
        self.intake = intake
        self.management = management   # the Management Activity API fetcher (fetch_content messages)
        self.playbook = Playbook(context)
        self.follow_up = FollowUp(context)
        self.watch = Watch(context, intake)

    async def handle(self, message: dict, dequeue_count: int, max_dequeue_count: int) -> None:
        """Transient errors propagate (the host retries; a long throttle is deferred instead, see
        `_deferred`); the last attempt marks the job failed first."""
        kind, job_id = message.get("kind"), message.get("jobId")
        if kind in (RUN, FOLLOW_UP, APPROVAL_TIMEOUT, WATCH) and not job_id:
            log.error("dropped a %s message without a jobId", kind)
            return
        try:
            await self._dispatch(kind, message, redelivered=dequeue_count > 1)
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

    async def _dispatch(self, kind: object, message: dict, *, redelivered: bool) -> None:
        if kind == RUN:
            # A deferred copy is a redelivery: the worker that deferred it has stopped.
            await self.playbook.run(message["jobId"], redelivered=redelivered or bool(message.get(DEFERRALS)))
        elif kind == FOLLOW_UP:
            await self.follow_up.check(message["jobId"], int(message.get("attempt") or 1))
        elif kind == WATCH:
            await self.watch.check(message["jobId"], int(message.get("check") or 1))
        elif kind == APPROVAL_TIMEOUT:
            await expire_by_message(self.context, message["jobId"])
        elif kind == FETCH_CONTENT:
            await self._fetch_content(message)
        else:
            log.error("dropped a queue message of unknown kind %r", kind)

    async def _deferred(self, message: dict, exc: Exception) -> bool:
        """A service that asks for a longer wait than the gateway waits inline (RETRY_MAX_WAIT_SECONDS)
        gets it: a copy of the message comes back after its Retry-After (15 min at most), instead of
        the host's quick retries using up the attempts. MAX_DEFERRALS times, then as any failure."""
        wait = exc.retry_after if isinstance(exc, ThrottledError) else None
        deferrals = int(message.get(DEFERRALS) or 0)
        if not wait or wait <= self.context.settings.retry_max_wait_seconds or deferrals >= MAX_DEFERRALS:
            return False
        delay = math.ceil(min(wait, MAX_DEFERRAL_SECONDS))
        await self.context.ports.queue.send({**message, DEFERRALS: deferrals + 1}, delay_seconds=delay)
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
                    step.status, step.endedAt, step.detail = STEP_FAILED, iso(self.context.clock()), reason
            return True
        try:
            job = await self.context.journal.change(job_id, decide)
        except NotFoundError:
            log.error("job %s to mark failed does not exist: %s", job_id, reason)
            return
        await release_active(self.context.ports.store, job)
        if job.status == FAILED:
            await report_failure(self.context, job)

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
        alerted = intake.restricted_sender_alerts(records, self.context.settings.alert_name)
        return await self.intake.start_all(alerted, O365_SOURCE, "Office 365 Management Activity API")
