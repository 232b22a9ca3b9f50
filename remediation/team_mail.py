"""The once-only mails to the security team about one job: an approval is needed, the
breaker is open, the job failed half-way. The run's summary is the `notify` step's."""

from __future__ import annotations

import logging

from remediation import notify
from remediation.context import Context
from remediation.errors import PermanentError
from remediation.models import HOLD, Job
from remediation.ports import MAIL

log = logging.getLogger(__name__)


async def request_approval(context: Context, job: Job) -> None:
    """Mail the team that a job waits for them: once per job, or once an hour for the breaker."""
    holds = [decision for decision in job.decisions if decision.decision == HOLD]
    if not holds:
        return
    recipients, unable = await context.mailer.audience(job.user)
    if unable:
        return
    reason, breaker = holds[-1].comment, bool(holds[-1].breaker)
    hour = context.clock().strftime("%Y%m%d%H")
    key = f"breaker-mail|{hour}" if breaker else f"approval-mail|{job.id}"
    subject, body = notify.breaker_open(reason, hour) if breaker else notify.approval_needed(
        context.settings, job, reason)
    await _mail_once(context, job, key, recipients, subject, body)


async def report_failure(context: Context, job: Job) -> None:
    """Mail the team once that a job failed half-way: what it changed, and what is left to them."""
    recipients, unable = await context.mailer.audience(job.user)
    if unable:
        log.error("job %s failed and the team cannot be told: %s", job.id, unable)
        return
    subject, body = notify.job_failed(context.settings, job)
    try:
        await _mail_once(context, job, f"failed-mail|{job.id}", recipients, subject, body)
    except PermanentError as exc:
        log.error("job %s failed and the mail telling the team was refused: %s", job.id, exc)


async def _mail_once(context: Context, job: Job, key: str, recipients: list[str], subject: str, body: str) -> None:
    # Claimed before sending: jobs and retries run side by side, and only one of them may mail.
    store = context.ports.store
    if await store.claim(MAIL, key, job.id) is not None:
        return
    try:
        await context.mailer.send(recipients, subject, body)
    except Exception:
        await store.release(MAIL, key, job.id)   # unsent: the next job (or retry) mails
        raise
