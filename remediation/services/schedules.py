"""`Schedules`: what the timers run. The blocked-list sweep (the fast path: alerts may take an
hour) with the re-drive of stuck jobs, the Graph alerts_v2 poll, and the poison-queue report."""

from __future__ import annotations

import logging
from datetime import timedelta

from remediation import intake
from remediation.context import Context
from remediation.holds import expire_if_overdue
from remediation.jobs import all_with_status, existing
from remediation.messages import follow_up_message, run_message
from remediation.models import (
    ALERTS_V2_SOURCE, AWAITING_RELEASE, CANCEL, CANCELLED, FAILED, QUEUED, RUNNING, SWEEP_SOURCE, Job, Trigger, iso,
    normalize_user, parse_iso,
)
from remediation.ports import ACTIVE, BLOCK
from remediation.services.intake import Intake
from remediation.steps.confirm_block import block_key, handles_block

log = logging.getLogger(__name__)
WATERMARK = "alerts_v2-watermark"
# alerts_v2 `serviceSource` of the Defender for Office 365 / EOP alert policies.
SERVICE_SOURCE = "microsoftDefenderForOffice365"
FIRST_POLL_LOOKBACK = timedelta(days=1)
FAILED_BLOCK_RETRY = timedelta(hours=1)


class Schedules:
    def __init__(self, context: Context, intake: Intake) -> None:
        self.context = context
        self.intake = intake

    async def sweep(self) -> list[Job]:
        """A job for every blocked sender without one, and a new message for every job that stopped
        moving. Returns the jobs it started or re-drove."""
        jobs = []
        for block in await self.context.ports.exchange.blocked_senders():
            user = normalize_user(block.sender)
            if await self._busy(user) or await self._handled(user, block.created):
                continue
            trigger = Trigger(SWEEP_SOURCE, requested_by="blocked-list sweep", reason=f"blocked since {block.created}")
            job, created = await self.intake.request(user, trigger)
            if created:
                jobs.append(job)
        return jobs + await self._redrive()

    async def _handled(self, user: str, created: str) -> bool:
        """Some job handled this very block (see `handles_block`), or the sweep must leave it be:
        an admin cancelled its job (a human said no: only an alert or an admin starts another), or
        its job failed within the hour (one new attempt an hour during an outage, not one a minute)."""
        store = self.context.ports.store
        holder = await existing(store, await store.claimed(BLOCK, block_key(user, created)))
        if holder is not None and holder.status == CANCELLED and any(
                decision.decision == CANCEL for decision in holder.decisions):
            return True
        if holder is not None and holder.status == FAILED:
            ended = parse_iso(holder.updatedAt)
            if ended and self.context.clock() - ended < FAILED_BLOCK_RETRY:
                return True
        return handles_block(holder, enforcing=self.context.settings.enforce)

    async def _busy(self, user: str) -> bool:
        """The user has a job still going. A marker left by a job that ended (a crash before its
        release) does not count: `request` releases it as it claims the user. A hold nobody
        approved in time ends here (its expiry message may have been lost)."""
        store = self.context.ports.store
        holder = await existing(store, await store.claimed(ACTIVE, user))
        if holder is not None:
            holder = await expire_if_overdue(self.context, holder)
        return holder is not None and not holder.terminal

    async def _redrive(self) -> list[Job]:
        store, queue, now = self.context.ports.store, self.context.ports.queue, self.context.clock()
        stale = now - timedelta(minutes=self.context.settings.stale_job_minutes)
        redriven = []
        for job in await all_with_status(store, QUEUED) + await all_with_status(store, RUNNING):
            if (parse_iso(job.updatedAt) or now) < stale:
                await queue.send(run_message(job.id))
                redriven.append(job)
        for job in await all_with_status(store, AWAITING_RELEASE):
            due = parse_iso(job.follow_up_due_at)
            if due is not None and due < stale and await self._postpone_follow_up(job):
                await queue.send(follow_up_message(job.id, len(job.checks) + 1))
                redriven.append(job)
        if redriven:
            log.warning("re-drove %d stuck job(s): %s", len(redriven), ", ".join(job.id for job in redriven))
        return redriven

    async def _postpone_follow_up(self, job: Job) -> bool:
        """Moves the job's follow-up time to now, so that during an outage the sweep re-drives it
        once per STALE_JOB_MINUTES, not every minute. False when another sweep or the check itself
        changed it first (the ETag decides): then that one has the job."""
        seen, moved = job.follow_up_due_at, False

        def decide(current: Job) -> bool:
            nonlocal moved
            moved = current.status == AWAITING_RELEASE and current.follow_up_due_at == seen
            if moved:
                current.follow_up_due_at = iso(self.context.clock())
            return moved
        await self.context.journal.change(job.id, decide, job)
        return moved

    async def poll_security_alerts(self) -> list[Job]:
        """Jobs for the Graph alerts_v2 updated since the stored watermark (title matched in code:
        Graph cannot filter on it)."""
        store = self.context.ports.store
        stored = parse_iso(await store.get_marker(WATERMARK))
        since = stored or self.context.clock() - FIRST_POLL_LOOKBACK
        alerts = await self.context.ports.directory.security_alerts(since, SERVICE_SOURCE)
        alerted = intake.security_alert_users(alerts, self.context.settings.alert_name)
        jobs = await self.intake.start_all(alerted, ALERTS_V2_SOURCE, "Microsoft Graph security alerts")
        newest = max((alert.last_updated for alert in alerts if alert.last_updated), default=None)
        if newest and newest > since:
            await store.set_marker(WATERMARK, iso(newest))
        return jobs

    async def poison_report(self) -> list[dict]:
        report = []
        for message in await self.context.ports.queue.poison_messages():
            job_id = message.body.get("jobId")
            job = await existing(self.context.ports.store, job_id)
            report.append({"messageId": message.id, "insertedOn": iso(message.inserted_on),
                           "dequeueCount": message.dequeue_count, "kind": message.body.get("kind"),
                           "jobId": job_id, "jobStatus": job.status if job else None, "body": message.body})
        return report
