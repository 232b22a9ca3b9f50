"""Holds: the app's decision to wait for a human, and its end when nobody decides.

A job in `awaiting_approval` holds its user's `active` marker, so every later alert and the
sweep find it busy. It must not do that for ever: APPROVAL_TIMEOUT_HOURS after its last hold,
a job still waiting is `escalated` and lets the user go. A queue message hidden until the
deadline (sent as the hold is saved) brings the job back then; the sweep and the intake also
expire an overdue hold they come across, in case that message was lost. No table scan.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from remediation.audit import entry, hold
from remediation.context import Context
from remediation.jobs import release_active
from remediation.messages import approval_timeout_message
from remediation.models import AWAITING_APPROVAL, ESCALATED, EXPIRE, HOLD, SKIPPED, Job, iso, parse_iso
from remediation.records import APP_ACTOR, Decision
from remediation.team_mail import report_expired_hold


def hold_job(job: Job, at: datetime, reason: str, *, breaker: bool) -> None:
    """Puts `job` in awaiting_approval for `reason` (the caller saves it, then calls `schedule_expiry`)."""
    job.status, job.summary = AWAITING_APPROVAL, f"Waiting for approval: {reason}."
    job.decisions.append(hold(at, reason, breaker=breaker))


async def schedule_expiry(context: Context, job: Job) -> None:
    """The message that expires the job's hold at its deadline."""
    delay = math.ceil(context.settings.approval_timeout_hours * 3600)
    await context.ports.queue.send(approval_timeout_message(job.id), delay_seconds=delay)


def _last_hold(job: Job) -> Decision | None:
    return next((decision for decision in reversed(job.decisions) if decision.decision == HOLD), None)


def deadline(context: Context, job: Job) -> datetime | None:
    """When the job's last hold expires; None for a job that was never held."""
    last = _last_hold(job)
    since = parse_iso(last.at) if last else None
    return since + timedelta(hours=context.settings.approval_timeout_hours) if since else None


def expired(job: Job) -> bool:
    """Whether the job ended because nobody approved it in time (it changed nothing after its hold)."""
    return job.status == ESCALATED and any(decision.decision == EXPIRE for decision in job.decisions)


async def expire_if_overdue(context: Context, job: Job) -> Job:
    """The job, escalated when it has waited for approval past APPROVAL_TIMEOUT_HOURS; else as it is."""
    due = deadline(context, job)
    if job.status != AWAITING_APPROVAL or due is None or context.clock() < due:
        return job
    hours = f"{context.settings.approval_timeout_hours:g}"

    def decide(current: Job) -> bool:
        if current.status != AWAITING_APPROVAL or deadline(context, current) != due:
            return False   # decided meanwhile, or held again (that hold has its own deadline)
        now, last = context.clock(), _last_hold(current)
        why = f"nobody approved or cancelled the job within APPROVAL_TIMEOUT_HOURS={hours} h"
        current.decisions.append(Decision(iso(now), APP_ACTOR, EXPIRE, why))
        current.audit.append(entry(now, EXPIRE, current.user, why, ESCALATED))
        current.status = ESCALATED
        current.summary = (f"Escalated: {why} (held since {last.at}: {last.comment}). "
                           f"Nothing was changed after the hold: {current.user} may still be blocked from sending "
                           "and is not secured; start a new job or act by hand.")
        for step in current.steps:
            if not step.finished:
                step.status, step.detail = SKIPPED, "Not run: nobody approved the job in time."
        return True
    job = await context.journal.change(job.id, decide, job)
    if expired(job):
        await release_active(context.ports.store, job)
        await report_expired_hold(context, job)
    return job


async def expire_by_message(context: Context, job_id: str) -> Job:
    return await expire_if_overdue(context, await context.journal.get(job_id))
