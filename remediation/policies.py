"""The policies between the steps: protected accounts, the unblock budget, the breaker,
and the status a finished run ends with.

Microsoft caps how often one account can be unblocked (past it only Support can), and an
unblocked user is not restricted again that day: so we unblock only a secured account,
count our unblocks per user, and stop automatic work when too many jobs start at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from remediation.models import (
    ADMIN_SOURCE, APP_CONSENTS, APPROVE, AUTH_METHODS, AWAITING_RELEASE, CONFIRM_BLOCK, DONE, DRY_RUN, ESCALATED,
    FAILED, HOLD, IDENTITY_RISK, INBOX_RULES, LEGACY_PROTOCOLS, MAILBOX_DELEGATES, MAILBOX_FORWARDING, MANUAL, PLANNED,
    RESET_PASSWORD, RESOLVED, REVOKE_SESSIONS, SKIPPED, STEP_FAILED, UNBLOCK_SENDER,
    Job, normalize_user,
)
from remediation.ports import Directory, JobStore
from remediation.records import Decision, Identity
from remediation.settings import Settings
from remediation.tenant import DirectoryUser

SECURING_STEPS = (RESET_PASSWORD, REVOKE_SESSIONS, INBOX_RULES, MAILBOX_FORWARDING, MAILBOX_DELEGATES, APP_CONSENTS,
                  AUTH_METHODS, LEGACY_PROTOCOLS, IDENTITY_RISK)
# step.data key: a `skipped` securing step whose reason lets the unblock go ahead (identity_risk
# without Entra ID P2 or its permission, app_consents under APP_CONSENTS_ACTION=report).
POLICY_SKIP = "policySkip"


def not_secured(job: Job) -> list[str]:
    """The securing steps that hold the unblock: anything but `done` or a skip the policy allows."""
    return [f"{name} is {job.step(name).status}" for name in SECURING_STEPS
            if job.step(name).status != DONE
            and not (job.step(name).status == SKIPPED and job.step(name).data.get(POLICY_SKIP))]


def is_automatic(job: Job) -> bool:
    return job.trigger.source != ADMIN_SOURCE


def approved_holds(job: Job) -> list[Decision]:
    """The holds a human lifted. An approval lifts the hold it was given for (the last one before
    it), no other: approving a breaker hold says nothing about a protected account."""
    lifted, waiting = [], None
    for decision in job.decisions:
        if decision.decision == HOLD:
            waiting = decision
        elif decision.decision == APPROVE and waiting is not None:
            lifted.append(waiting)
            waiting = None
    return lifted


def protection_approved(job: Job) -> bool:
    return any(not hold.breaker for hold in approved_holds(job))


# -- protected accounts -----------------------------------------------------------------------

def _protected_names(settings: Settings) -> tuple[set[str], list[str]]:
    """PROTECTED_ACCOUNTS holds UPNs and group object ids."""
    upns = {normalize_user(entry) for entry in settings.protected_accounts if "@" in entry}
    groups = [entry for entry in settings.protected_accounts if "@" not in entry]
    return upns, groups


def listed_as_protected(settings: Settings, user: str) -> str | None:
    """The reason, when the address itself is listed (no directory call needed)."""
    upns, _ = _protected_names(settings)
    user = normalize_user(user)
    if user in upns:
        return f"{user} is a protected account (listed in PROTECTED_ACCOUNTS): a human approves every change"
    return None


async def protection_reason(settings: Settings, directory: Directory, user: DirectoryUser) -> str | None:
    for name in {normalize_user(user.user_principal_name), normalize_user(user.mail or "")} - {""}:
        reason = listed_as_protected(settings, name)
        if reason:
            return reason
    _, groups = _protected_names(settings)
    if not groups:
        return None
    member_of = await directory.member_of(user.id, groups)
    if member_of:
        return (f"{user.user_principal_name} is a member of the protected group(s) {', '.join(member_of)} "
                "(PROTECTED_ACCOUNTS): a human approves every change")
    return None


# -- separation of duties ----------------------------------------------------------------------

def own_job(by: Identity, user: str, found: DirectoryUser | None) -> bool:
    """Whether the caller is the job's user (by address, UPN, mail or object id): a compromised
    account must not approve or cancel its own remediation."""
    known = {user, *((found.id, found.user_principal_name, found.mail) if found else ())}
    names = {normalize_user(name) for name in (by.name, by.object_id) if name.strip()}
    return bool(names & {normalize_user(name) for name in known if name})


def requested_it(by: Identity, job: Job) -> bool:
    """Whether the caller is the admin who started the job (by object id): a request and its
    approval are two people's decisions."""
    return bool(by.object_id.strip()) and by.object_id.strip().lower() == job.trigger.requested_by_id.lower()


# -- the unblock budget and the breaker ---------------------------------------------------------

async def unblock_budget_reason(settings: Settings, store: JobStore, user: str, now: datetime) -> str | None:
    """None while the user's automatic unblocks in the window stay under UNBLOCK_BUDGET_COUNT."""
    days = settings.unblock_budget_window_days
    used = await store.unblocks_since(user, now - timedelta(days=days))
    if used < settings.unblock_budget_count:
        return None
    return (f"the unblock budget is used up: {used} unblock(s) of {user} in the last {days} day(s), "
            f"UNBLOCK_BUDGET_COUNT is {settings.unblock_budget_count}. Microsoft caps unblocks per account "
            "(past the cap only Microsoft Support can release it), so a human decides on this one")


def breaker_reason(settings: Settings, count: int) -> str | None:
    """The reason to hold automatic work when `count` automatic jobs started this hour, past
    BREAKER_MAX_JOBS_PER_HOUR; None below it. Only answers: the intake does the counting."""
    if count <= settings.breaker_max_jobs_per_hour:
        return None
    return (f"the circuit breaker is open: {count} automatic jobs started this hour, more than "
            f"BREAKER_MAX_JOBS_PER_HOUR={settings.breaker_max_jobs_per_hour}; a human approves each further job")


# -- how a run ends -------------------------------------------------------------------------------

def human_actions(job: Job) -> list[str]:
    """What a human must do or look at: manual and failed steps, in playbook order."""
    return [f"{step.name}: {step.detail}" for step in job.steps if step.status in (MANUAL, STEP_FAILED)]


def conclusion(job: Job) -> tuple[str, str]:
    """The status a run ends with once its steps are finished, and a one-line summary.

    Unblocked -> awaiting_release (the follow-up verifies; anything a human must still do is
    in the summary). Not blocked and secured as an admin forced -> resolved. The block could
    not even be confirmed -> failed. Anything else a human must finish -> escalated.
    """
    if job.mode == DRY_RUN:
        return PLANNED, "Dry run: nothing was changed; each step says what an enforce run would do."
    confirm = job.step(CONFIRM_BLOCK)
    if confirm.status == STEP_FAILED:
        return FAILED, f"The block could not be confirmed: {confirm.detail}"
    needs = human_actions(job)
    also = f" Needs a human: {' '.join(needs)}" if needs else ""
    unblock = job.step(UNBLOCK_SENDER)
    if unblock.status == DONE:
        return AWAITING_RELEASE, "Secured and unblocked; a follow-up check verifies the release." + also
    if job.block is None and not needs:
        return RESOLVED, "Not on the blocked list; the account was secured because an admin forced the job."
    return ESCALATED, f"Not unblocked: {unblock.detail}{also}"
