"""Step 1: is the user on Exchange's blocked list? An alert only names whom to look up.

One job per block: the job claims `block/{user}|{CreatedDatetime}`; a second job for the
same block is cancelled (naming the first) unless an admin forced it. A dry-run plan, or a
job that failed or was cancelled before it unblocked, does not handle a block, so a new
job takes the claim over from one.
"""

from __future__ import annotations

from datetime import datetime, timezone

from remediation.errors import PermanentError
from remediation.holds import expired
from remediation.intake import is_object_id
from remediation.models import (
    CANCELLED, DONE, DRY_RUN, FAILED, RESOLVED, STEP_FAILED, Job, normalize_user, parse_iso,
)
from remediation.ports import ACTIVE, BLOCK
from remediation.steps.context import Outcome, StepRun
from remediation.tenant import Block

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def block_key(user: str, created: str) -> str:
    return f"{user}|{created}"


def handles_block(holder: Job | None, *, enforcing: bool) -> bool:
    """Whether the job a block's marker names handled (or is handling) that block. One that
    unblocked the sender did, whatever happened next; one that failed or was cancelled before
    that, or whose hold nobody approved in time, left the block to another job, and so did a
    dry-run plan once the app enforces."""
    if holder is None:
        return False
    if holder.unblocked_at:
        return True
    if holder.status in (FAILED, CANCELLED) or expired(holder):
        return False
    return not (enforcing and holder.mode == DRY_RUN)


async def _address(run: StepRun) -> str | Outcome:
    """The address to look up: an alert may name the user by object id (resolved here, not at intake)."""
    if not is_object_id(run.job.user):
        return run.job.user
    found = await run.user()
    address = normalize_user(found.mail or found.user_principal_name)
    store = run.ports.store
    other = await store.claim(ACTIVE, address, run.job.id)
    await store.release(ACTIVE, run.job.user, run.job.id)
    if other and other != run.job.id:
        return Outcome(DONE, f"{run.job.user} is {address}, who already has an active job {other}.",
                       {"address": address, "activeJob": other}, ends=CANCELLED)
    return address


async def _claim_block(run: StepRun, key: str) -> str | None:
    """The id of another job that already handles this block, or None once this job holds it."""
    store = run.ports.store
    other = await store.claim(BLOCK, key, run.job.id)
    if not other or other == run.job.id or run.job.mode == DRY_RUN:
        return None
    try:
        holder = await store.get(other)
    except PermanentError:
        holder = None
    if not handles_block(holder, enforcing=True):
        await store.release(BLOCK, key, other)
        return await store.claim(BLOCK, key, run.job.id)
    return other


def block_created(block: Block) -> datetime | None:
    """When Exchange created the entry (None if it gave no date); PermanentError naming the raw
    value when it gave one that cannot be read: the job is keyed by it, so it is not guessed."""
    try:
        return parse_iso(block.created)
    except ValueError:
        raise PermanentError(f"the CreatedDatetime {block.created!r} of {block.sender} on the blocked list is not a "
                             "date this app can read", service="exchange") from None


def _latest(blocks: list[Block]) -> Block:
    return max(blocks, key=lambda block: block_created(block) or EPOCH)


async def confirm_block(run: StepRun) -> Outcome:
    address = await _address(run)
    if isinstance(address, Outcome):
        return address

    def facts(job: Job) -> None:
        job.user = address

    try:
        listed = [block for block in await run.ports.exchange.blocked_senders(address)
                  if normalize_user(block.sender) == address]
    except PermanentError as exc:
        return Outcome(STEP_FAILED, f"Get-BlockedSenderAddress failed: {exc}", apply=facts)
    if not listed:
        if run.job.force:
            return Outcome(DONE, f"{address} is not on the blocked list; going on because an admin forced the job.",
                           {"blocked": False}, apply=facts)
        return Outcome(DONE, f"{address} is not on the blocked list (Get-BlockedSenderAddress): nothing to do.",
                       {"blocked": False}, apply=facts, ends=RESOLVED)
    block = _latest(listed)
    kind = "a temporary" if block.temporary else "a"
    detail = (f"{address} is on the blocked list: {kind} block created {block.created}"
              f"{f', reason: {block.reason}' if block.reason else ''}.")

    def record(job: Job) -> None:
        facts(job)
        job.block = block.to_json()

    handled_by = await _claim_block(run, block_key(address, block.created))
    if handled_by and not run.job.force:
        return Outcome(DONE, f"{detail} This block is already handled by job {handled_by}; "
                             "use force to run it again.", {"blocked": True, "handledBy": handled_by},
                       apply=record, ends=CANCELLED)
    if handled_by:
        detail += f" Job {handled_by} handled this block before; running again because an admin forced it."
    return Outcome(DONE, detail, {"blocked": True, **block.to_json()}, apply=record)
