"""The approval gate before the first change (`reset_password`): protected accounts and the breaker.

It runs after `confirm_block`, so the breaker counts only blocks Exchange confirmed: an alert
naming addresses that are not blocked ends those jobs `resolved` before they reach it, and
cannot open the breaker for the next real block. A dry run is never held (it only notes a
protected account) and is not counted: it changes nothing.
"""

from __future__ import annotations

from remediation.audit import hold
from remediation.context import Context
from remediation.errors import ConflictError, PermanentError
from remediation.holds import hold_job
from remediation.models import DRY_RUN, HOLD, QUEUED, RUNNING, Job
from remediation.tenant import DirectoryUser
from remediation.policies import approved_holds, breaker_reason, is_automatic, protection_approved, protection_reason
from remediation.steps.context import looked_up


async def gate(context: Context, job: Job, users: dict[str, DirectoryUser]) -> Job:
    """The job, held (awaiting_approval, saved) when a human must approve before any change."""
    reason = await _protection(context, job, users)
    if reason and job.mode == DRY_RUN:
        return await _note(context, job, f"{reason} (dry run: noted, not waiting)")
    breaker = None if reason else await _breaker(context, job)
    if not (reason or breaker):
        return job

    def decide(current: Job) -> bool:
        if current.status not in (QUEUED, RUNNING):
            raise ConflictError(f"job {current.id} is {current.status}")
        hold_job(current, context.clock(), reason or breaker, breaker=not reason)
        return True
    return await context.journal.change(job.id, decide, job)


async def _protection(context: Context, job: Job, users: dict[str, DirectoryUser]) -> str | None:
    """Why the account needs a human; only an approval of a protection hold lets it through (the
    breaker's approval says nothing about a protected account)."""
    if protection_approved(job) or not context.settings.protected_accounts:
        return None
    try:
        return await protection_reason(context.settings, context.ports.directory,
                                       await looked_up(context.ports.directory, users, job.user))
    except PermanentError as exc:
        # Not knowing whether the account is protected is treated as protected.
        return f"could not check whether {job.user} is a protected account: {exc}"


async def _breaker(context: Context, job: Job) -> str | None:
    """Counts this confirmed block of an automatic enforce job, once; the reason to hold it past
    BREAKER_MAX_JOBS_PER_HOUR. A job a human already approved (or the breaker already held) is
    not counted again."""
    if not is_automatic(job) or job.mode == DRY_RUN or job.block is None:
        return None
    if approved_holds(job) or any(decision.breaker for decision in job.decisions if decision.decision == HOLD):
        return None
    count = await context.ports.store.add_automatic_job(context.clock())
    return breaker_reason(context.settings, count)


async def _note(context: Context, job: Job, note: str) -> Job:
    def decide(current: Job) -> bool:
        if current.status not in (QUEUED, RUNNING):
            raise ConflictError(f"job {current.id} is {current.status}")
        current.decisions.append(hold(context.clock(), note))
        return True
    return await context.journal.change(job.id, decide, job)
