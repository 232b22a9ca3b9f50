"""The timer-driven and reporting half of `Remediations`: the blocked-list sweep, the
alerts_v2 poll, the blocked list with each sender's job, the poison report, and health.

A mixin of `Remediations` (remediation/service.py), which provides `ports`, `settings`,
`clock`, `journal`, `request()` and `_existing()`.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from remediation import intake
from remediation.errors import PermissionError_, RemediationError
from remediation.models import (
    AWAITING_RELEASE, CANCELLED, FAILED, QUEUED, RUNNING, Job, Trigger, iso, normalize_user, parse_iso,
)
from remediation.playbook import follow_up_message
from remediation.steps.confirm_block import BLOCK, block_key, handles_block

log = logging.getLogger(__name__)
WATERMARK = "alerts_v2-watermark"
# alerts_v2 `serviceSource` of the Defender for Office 365 / EOP alert policies.
SERVICE_SOURCE = "microsoftDefenderForOffice365"
FIRST_POLL_LOOKBACK = timedelta(days=1)
FAILED_BLOCK_RETRY = timedelta(hours=1)


class Operations:
    async def sweep(self) -> list[Job]:
        """A job for every blocked sender without one (the fast path: alerts may take an hour),
        and a new message for every job that stopped moving. Returns the jobs it started or re-drove."""
        jobs = []
        for block in await self.ports.exchange.blocked_senders():
            user = normalize_user(block.sender)
            if await self._handled(user, block.created) or await self._busy(user):
                continue
            trigger = Trigger("sweep", requested_by="blocked-list sweep", reason=f"blocked since {block.created}")
            job, created = await self.request(user, trigger)
            if created:
                jobs.append(job)
        return jobs + await self._redrive()

    async def _handled(self, user: str, created: str) -> bool:
        """Some job handled this very block (see `handles_block`), or the sweep must leave it be:
        an admin cancelled its job (a human said no: only an alert or an admin starts another), or
        its job failed within the hour (one new attempt an hour during an outage, not one a minute)."""
        holder = await self._existing(await self.ports.store.claimed(BLOCK, block_key(user, created)))
        if holder is not None and holder.status == CANCELLED and any(
                decision.get("decision") == "cancel" for decision in holder.decisions):
            return True
        if holder is not None and holder.status == FAILED:
            ended = parse_iso(holder.updatedAt)
            if ended and self.clock() - ended < FAILED_BLOCK_RETRY:
                return True
        return handles_block(holder, enforcing=self.settings.enforce)

    async def _busy(self, user: str) -> bool:
        """The user has a job still going. A marker left by a job that ended (a crash before its
        release) does not count: `request` releases it as it claims the user."""
        holder = await self._existing(await self.ports.store.claimed("active", user))
        return holder is not None and not holder.terminal

    async def _all(self, status: str) -> list[Job]:
        jobs, continuation = [], None
        while True:
            page = await self.ports.store.query(status=status, continuation=continuation, limit=100)
            jobs += page.items
            continuation = page.continuation
            if not continuation:
                return jobs

    async def _redrive(self) -> list[Job]:
        now = self.clock()
        stale = now - timedelta(minutes=self.settings.stale_job_minutes)
        redriven = []
        for job in await self._all(QUEUED) + await self._all(RUNNING):
            if (parse_iso(job.updatedAt) or now) < stale:
                await self.ports.queue.send({"kind": "run", "jobId": job.id})
                redriven.append(job)
        for job in await self._all(AWAITING_RELEASE):
            due = parse_iso(job.follow_up_due_at)
            if due is not None and due < stale and await self._postpone_follow_up(job):
                await self.ports.queue.send(follow_up_message(job.id, len(job.checks) + 1))
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
                current.follow_up_due_at = iso(self.clock())
            return moved
        await self.journal.change(job.id, decide, job)
        return moved

    async def poll_security_alerts(self) -> list[Job]:
        """Jobs for the Graph alerts_v2 updated since the stored watermark (title matched in code:
        Graph cannot filter on it)."""
        stored = parse_iso(await self.ports.store.get_marker(WATERMARK))
        since = stored or self.clock() - FIRST_POLL_LOOKBACK
        alerts = await self.ports.directory.security_alerts(since, SERVICE_SOURCE)
        jobs = []
        for alerted in intake.security_alert_users(alerts, self.settings.alert_name):
            trigger = Trigger("alerts_v2", alerted.alert_id, "Microsoft Graph security alerts")
            job, created = await self.request(alerted.user, trigger)
            if created:
                jobs.append(job)
        newest = max((alert.last_updated for alert in alerts if alert.last_updated), default=None)
        if newest and newest > since:
            await self.ports.store.set_marker(WATERMARK, iso(newest))
        return jobs

    async def restricted_senders(self) -> list[dict]:
        """The blocked list, each entry with the id and status of the job that handles it (if any)."""
        items = []
        for block in await self.ports.exchange.blocked_senders():
            user = normalize_user(block.sender)
            store = self.ports.store
            job = await self._existing(await store.claimed(BLOCK, block_key(user, block.created))
                                       or await store.claimed("active", user))
            items.append({**block.to_json(), "jobId": job.id if job else None, "jobStatus": job.status if job else None})
        return items

    async def poison_report(self) -> list[dict]:
        report = []
        for message in await self.ports.queue.poison_messages():
            job_id = message.body.get("jobId")
            job = await self._existing(job_id)
            report.append({"messageId": message.id, "insertedOn": iso(message.inserted_on),
                           "dequeueCount": message.dequeue_count, "kind": message.body.get("kind"),
                           "jobId": job_id, "jobStatus": job.status if job else None, "body": message.body})
        return report

    async def health(self, deep: bool = False) -> dict:
        """{"checks": {name: {"ok": bool, ...}}}: storage and settings; `deep` probes Graph and Exchange
        with read calls and names a missing permission."""
        problems = self.settings.problems()
        checks = {"settings": {"ok": not problems, "problems": problems},
                  "storage": await self._probe(self.ports.store.get_marker(WATERMARK))}
        if deep:
            since = self.clock()
            checks["graph.domains"] = await self._probe(self.ports.directory.domains())
            checks["graph.securityAlerts"] = await self._probe(self.ports.directory.security_alerts(since,
                                                                                                    SERVICE_SOURCE))
            checks["exchange.blockedSenders"] = await self._probe(self.ports.exchange.blocked_senders())
        return {"checks": checks}

    @staticmethod
    async def _probe(call) -> dict:
        try:
            await call
        except PermissionError_ as exc:
            return {"ok": False, "error": str(exc), "permission": exc.permission}
        except RemediationError as exc:
            return {"ok": False, "error": str(exc)}
        return {"ok": True}
