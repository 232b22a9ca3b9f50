"""The follow-up check: an hour after the unblock, then with growing delays.

Still on the blocked list -> check again (1 h, 2 h, 4 h, ... after, the last one landing at
unblock + FOLLOW_UP_MAX_HOURS, when Microsoft's own limit for the release has passed) and
then escalate. An entry created after our unblock is a new block: the account sends spam
again, so escalate at once. Released -> verify nothing came back (rules that forward
outside or hide mail, a new hidden rule, mailbox forwarding): clean resolves, anything
else escalates with what came back. Each check is recorded in `job.checks`; a message
whose attempt is already recorded is a duplicate and changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from remediation import notify
from remediation.audit import entry
from remediation.came_back import came_back
from remediation.context import Context
from remediation.errors import PermanentError
from remediation.jobs import release_active
from remediation.messages import follow_up_message
from remediation.models import (
    AWAITING_RELEASE, DONE, ESCALATED, FOLLOW_UP, RESOLVED, Job, iso, normalize_user, parse_iso,
)
from remediation.policies import protection_reason
from remediation.records import AuditEntry
from remediation.steps.confirm_block import block_created
from remediation.steps.credentials import disable_failed
from remediation.tenant import Block, DirectoryUser
from remediation.watch import begin

MIN_DELAY_SECONDS = 60   # closer than this to the deadline, the check is the last one
# Why an account is disabled at the follow-up (DISABLE_ACCOUNT_ON_RECURRENCE).
BLOCKED_AGAIN = "the account was blocked again for spam after the unblock"
CAME_BACK = "forwarding or a mail-hiding inbox rule came back after remediation"


class FollowUp:
    def __init__(self, context: Context) -> None:
        self.context = context

    async def check(self, job_id: str, attempt: int) -> Job:
        job = await self.context.journal.get(job_id)
        if not self._due(job, attempt):
            return job
        now = self.context.clock()
        unblocked = parse_iso(job.unblocked_at) or now
        listed = [block for block in await self.context.ports.exchange.blocked_senders(job.user)
                  if normalize_user(block.sender) == job.user]
        record = {"at": iso(now), "attempt": attempt, "blocked": bool(listed)}
        try:
            new_blocks = [block for block in listed if (block_created(block) or unblocked) > unblocked]
        except PermanentError as exc:
            return await self._escalate(job, record, [f"{job.user} is on the blocked list, and whether it is a new "
                                                      f"block is unknown: {exc}"])
        if new_blocks:
            return await self._escalate(job, record, [self._new_block(job, block) for block in new_blocks],
                                        recurrence=BLOCKED_AGAIN)
        if listed:
            max_hours = self.context.settings.follow_up_max_hours
            remaining = (unblocked + timedelta(hours=max_hours) - now).total_seconds()
            if remaining < MIN_DELAY_SECONDS:
                return await self._escalate(job, record, [
                    f"{job.user} is still on the blocked list {max_hours} h after the unblock "
                    f"at {job.unblocked_at}, past Microsoft's own limit for the release"])
            return await self._again(job, record, attempt, int(min(self._delay(attempt), remaining)))
        findings = await came_back(self.context, job)
        if findings:
            return await self._escalate(job, record, findings, recurrence=CAME_BACK)
        return await self._finish(job, record, RESOLVED, "Released and clean at the follow-up check.", [])

    @staticmethod
    def _due(job: Job, attempt: int) -> bool:
        return job.status == AWAITING_RELEASE and not any(check.get("attempt", 0) >= attempt for check in job.checks)

    def _delay(self, attempt: int) -> int:
        return max(self.context.settings.follow_up_delay_seconds, 1) * 2 ** (attempt - 1)

    @staticmethod
    def _new_block(job: Job, block: Block) -> str:
        return (f"{job.user} was blocked again at {block.created} (reason: {block.reason or 'not given'}), after the "
                f"unblock at {job.unblocked_at}: the account is still sending spam")

    async def _again(self, job: Job, record: dict, attempt: int, delay: int) -> Job:
        due = iso(self.context.clock() + timedelta(seconds=delay))
        # Sent before the check is saved: a duplicate is recognised by its attempt number.
        await self.context.ports.queue.send(follow_up_message(job.id, attempt + 1), delay_seconds=delay)
        record.update(outcome="still blocked", nextCheckAt=due)

        def decide(current: Job) -> bool:
            if not self._due(current, attempt):
                return False
            current.checks.append(record)
            current.follow_up_due_at = due
            step = current.step(FOLLOW_UP)
            step.startedAt = step.startedAt or record["at"]
            step.detail = f"Check {attempt}: still on the blocked list; next check at {due}."
            return True
        return await self.context.journal.change(job.id, decide, job)

    async def _escalate(self, job: Job, record: dict, findings: list[str], recurrence: str = "") -> Job:
        """`recurrence` says how the account showed it is compromised again; only then is it contained
        (a sender Microsoft is slow to release is not a new compromise)."""
        actions, contained = await self._contain(job, recurrence) if recurrence else ([], [])
        findings = findings + contained
        subject, body = notify.follow_up_escalation(self.context.settings, job, findings)
        recipients, unable = await self.context.mailer.audience(job.user)
        if not unable:
            try:
                await self.context.mailer.send(recipients, subject, body)
            except PermanentError as exc:
                findings = findings + [f"the escalation mail could not be sent: {exc}"]
        return await self._finish(job, record, ESCALATED, "Escalated at the follow-up check: " + "; ".join(findings),
                                  findings, actions)

    async def _contain(self, job: Job, recurrence: str) -> tuple[list[AuditEntry], list[str]]:
        """DISABLE_ACCOUNT_ON_RECURRENCE: block sign-in while a human looks. Returns the audit
        entries and what a human must know (a disable that failed, and what to do instead)."""
        if not self.context.settings.disable_account_on_recurrence:
            return [], []
        why = f"{recurrence} (DISABLE_ACCOUNT_ON_RECURRENCE)"
        user = await self.context.ports.directory.get_user(job.user)
        if user.account_enabled is False:
            return [], []
        protected = await self._protected(user)
        if protected:
            return [], [f"{user.user_principal_name} was not disabled: {protected}; DISABLE_ACCOUNT_ON_RECURRENCE "
                        "does not apply to a protected account, a human decides"]
        try:
            await self.context.ports.directory.disable_account(user.id)
        except PermanentError as exc:
            return ([entry(self.context.clock(), "disable account", job.user, why, f"failed: {exc}")],
                    [disable_failed(user.user_principal_name, exc)])
        return [entry(self.context.clock(), "disable account", job.user, why)], []

    async def _protected(self, user: DirectoryUser) -> str | None:
        """Why a human must decide before the account is disabled (unknown counts as protected)."""
        if not self.context.settings.protected_accounts:
            return None
        try:
            return await protection_reason(self.context.settings, self.context.ports.directory, user)
        except PermanentError as exc:
            return f"whether it is a protected account could not be checked ({exc})"

    async def _finish(self, job: Job, record: dict, status: str, summary: str, findings: list[str],
                      actions: list[AuditEntry] | None = None) -> Job:
        record.update(outcome=status, findings=findings)
        attempt = record["attempt"]
        watch = await begin(self.context, job) if status == RESOLVED else None

        def decide(current: Job) -> bool:
            if not self._due(current, attempt):
                return False
            current.checks.append(record)
            current.audit.extend(actions or [])
            current.status, current.summary = status, summary
            current.watch = current.watch or watch
            step = current.step(FOLLOW_UP)
            step.status, step.startedAt, step.endedAt = DONE, step.startedAt or record["at"], record["at"]
            step.detail = summary if findings else f"Check {attempt}: released, and no forwarding or hiding came back."
            return True
        job = await self.context.journal.change(job.id, decide, job)
        await release_active(self.context.ports.store, job)
        return job
