"""Step 7: take the user off the blocked list, only once the account is secured.

Microsoft caps unblocks per account and does not restrict an unblocked user again that
day, so: never before every securing step (policies.SECURING_STEPS) is done or skipped for a
reason the policy allows, never past the user's unblock budget for
automatic jobs, never twice (an attempt that died after asking is not repeated: the
follow-up check verifies the release), and the cap error escalates at once.
"""

from __future__ import annotations

from remediation.errors import NotFoundError, PermanentError, UnblockCapError
from remediation.models import DONE, SKIPPED, STEP_FAILED, STEP_PLANNED, Job, iso, parse_iso
from remediation.policies import is_automatic, not_secured, unblock_budget_reason
from remediation.steps.context import Outcome, StepRun

UNBLOCK_REQUESTED, RECORDED = "unblockRequestedAt", "unblockRecorded"
WHY = "the account is secured (every securing step is done, or skipped for a reason the policy allows)"


def _unblocked_at(moment: str):
    def apply(job: Job) -> None:
        job.unblocked_at = moment
    return apply


async def _budget(run: StepRun) -> str | None:
    if not is_automatic(run.job):
        return None   # the budget limits automatic unblocks; an admin's request is their decision
    return await unblock_budget_reason(run.settings, run.ports.store, run.job.user, run.clock())


def _released_elsewhere(run: StepRun) -> Outcome:
    return Outcome(DONE, f"{run.job.user} left the blocked list before the unblock (released by Microsoft or an "
                         "admin).", {"alreadyReleased": True}, apply=_unblocked_at(iso(run.clock())))


async def _record(run: StepRun) -> None:
    """Counts the unblock for the budget, at the time it was asked for: a retry after a crash
    between the count and the checkpoint writes the same row again, not a second one."""
    if not run.step.data.get(RECORDED):
        requested = run.step.data[UNBLOCK_REQUESTED]
        await run.ports.store.record_unblock(run.job.user, parse_iso(requested), run.job.id)
        await run.checkpoint(**{RECORDED: requested})


async def unblock_sender(run: StepRun) -> Outcome:
    user = run.job.user
    if run.job.block is None:
        return Outcome(SKIPPED, f"{user} is not on the blocked list: nothing to unblock.")
    if run.dry_run:
        budget = await _budget(run)
        limits = f" It would not: {budget}." if budget else ""
        return Outcome(STEP_PLANNED, f"Would remove {user} from the blocked list (Remove-BlockedSenderAddress) once "
                                     f"the account is secured.{limits}")
    missing = not_secured(run.job)
    if missing:
        return Outcome(SKIPPED, f"{user} was not unblocked: the account is not secured ({', '.join(missing)}).")
    requested = run.step.data.get(UNBLOCK_REQUESTED)
    if run.resumed and requested:
        await _record(run)
        return Outcome(DONE, f"The unblock was asked for at {requested} by an attempt that stopped before recording "
                             "its answer; it is not repeated (each one counts against Microsoft's cap). The "
                             "follow-up check verifies the release.", {"verify": True}, apply=_unblocked_at(requested))
    budget = await _budget(run)
    if budget:
        return Outcome(SKIPPED, f"{user} was not unblocked: {budget}.")
    if not await run.ports.exchange.blocked_senders(user):
        return _released_elsewhere(run)
    try:
        await run.once(UNBLOCK_REQUESTED, "remove blocked sender", user, WHY,
                       lambda: run.ports.exchange.unblock(user))
    except NotFoundError:
        return _released_elsewhere(run)   # between our look at the list and the Remove
    except UnblockCapError as exc:
        return Outcome(STEP_FAILED, f"Exchange refused the unblock: {exc}. Microsoft's cap on unblocks for this "
                                    "account is reached: only Microsoft Support can release it now.", {"cap": True})
    except PermanentError as exc:
        return Outcome(STEP_FAILED, f"Remove-BlockedSenderAddress failed: {exc}")
    now = iso(run.clock())
    await _record(run)
    return Outcome(DONE, f"Removed {user} from the blocked list at {now}; Microsoft says sending works again within "
                         "an hour (at most 24 hours).", apply=_unblocked_at(now))
