"""The playbook: the steps in order, who may run one, the approval gate, and how a run ends.

A worker claims a step (start time and its token, saved with the ETag) before it touches
the tenant, so two workers never run one step: the loser of the race stops. A step found
started by another worker is taken over only when that worker is presumed dead: the
message is a redelivery (its first delivery failed or crashed) or the step is older than
STALE_JOB_MINUTES. A taken-over step knows it (`StepRun.resumed`) and re-checks the tenant
before acting. No SDK imports here: everything outside goes through the ports.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Callable

from remediation import notify
from remediation.audit import APP_ACTOR
from remediation.errors import ConflictError, PermanentError
from remediation.models import (
    AWAITING_APPROVAL, AWAITING_RELEASE, DRY_RUN, ENFORCE, FAILED, QUEUED, RUNNING, SKIPPED, STEP_FAILED, STEP_PLANNED,
    Job, iso, parse_iso,
)
from remediation.policies import HOLD, conclusion, is_automatic, protection_approved, protection_reason
from remediation.steps import STEPS
from remediation.steps.context import RESUMED, RUNNER, JobWorker, Outcome, Ports, StepRun, looked_up, owned_by
from remediation.tenant import DirectoryUser

FOLLOW_UP = "follow_up"
MAIL = "mail"   # claims: one mail per key
log = logging.getLogger(__name__)


def follow_up_message(job_id: str, attempt: int) -> dict:
    return {"kind": FOLLOW_UP, "jobId": job_id, "attempt": attempt}


def hold(at: datetime, reason: str, *, breaker: bool = False) -> dict:
    """The app's own decision to wait for a human, recorded next to the humans' decisions."""
    return {"at": iso(at), "by": APP_ACTOR, "decision": HOLD, "comment": reason, "breaker": breaker}


class Playbook(JobWorker):
    async def run(self, job_id: str, *, redelivered: bool = False) -> Job:
        runner = uuid.uuid4().hex
        users: dict[str, DirectoryUser] = {}
        job = await self.journal.get(job_id)
        if job.terminal:
            await release_active(self.ports, job)   # in case the run that ended it died before the release
        if job.status == FAILED:
            await self.report_failure(job)   # a retry of a failure whose mail did not go out
        if job.status == AWAITING_APPROVAL:
            await self.request_approval(job)
            return job
        for name in STEPS:
            if job.status not in (QUEUED, RUNNING):
                return job
            if job.step(name).finished:
                continue
            if job.step("confirm_block").status == STEP_FAILED and name != "notify":
                job = await self._skip(job, name, "Skipped: the block could not be confirmed.")
                continue
            if name == "reset_password" and not job.step(name).startedAt:
                job = await self._follow_the_mode_setting(job)
                job = await self._gate(job, users)
                if job.status == AWAITING_APPROVAL:
                    await self.request_approval(job)
                    return job
            job = await self.journal.change(job_id, self._claim(name, runner, redelivered), job)
            if not owned_by(job, name, runner):
                continue   # another worker finished it meanwhile
            run = StepRun(job, name, runner, self.ports, self.settings, self.clock, self.journal, users)
            try:
                outcome = await STEPS[name](run)
            except PermanentError as exc:
                outcome = Outcome(STEP_FAILED, str(exc))
            job = await run.finish(outcome)
            if outcome.ends:
                return await self._end(job, outcome.ends, outcome.detail)
        if job.status != RUNNING:
            return job
        return await self._conclude(job)

    async def _follow_the_mode_setting(self, job: Job) -> Job:
        """REMEDIATION_MODE is the kill switch: an automatic job queued while it said enforce, that
        has changed nothing yet, runs as a dry-run plan once it says dry-run. An admin's job keeps
        the mode the admin asked for."""
        if job.mode != ENFORCE or self.settings.enforce or not is_automatic(job):
            return job

        def decide(current: Job) -> bool:
            if current.mode != ENFORCE or current.step("reset_password").startedAt:
                return False
            current.mode = DRY_RUN
            current.decisions.append({"at": iso(self.clock()), "by": APP_ACTOR, "decision": "dry-run",
                                      "comment": "REMEDIATION_MODE is dry-run now: this automatic job, queued in "
                                                 "enforce mode, only plans its changes"})
            return True
        return await self.journal.change(job.id, decide, job)

    # -- claiming -------------------------------------------------------------------------------

    def _claim(self, name: str, runner: str, redelivered: bool) -> Callable[[Job], bool]:
        def decide(job: Job) -> bool:
            if job.status not in (QUEUED, RUNNING):
                raise ConflictError(f"job {job.id} is {job.status}: nothing to run")
            step = job.step(name)
            if step.finished:
                return False
            if step.startedAt and step.data.get(RUNNER) != runner:
                if not (redelivered or self._stale(step.startedAt)):
                    raise ConflictError(f"step {name} of job {job.id} is being run by another worker "
                                        f"since {step.startedAt}")
                step.data[RESUMED] = True
            step.startedAt = step.startedAt or iso(self.clock())
            step.data[RUNNER] = runner
            job.status = RUNNING
            return True
        return decide

    def _stale(self, started: str) -> bool:
        moment = parse_iso(started)
        return moment is None or moment < self.clock() - timedelta(minutes=self.settings.stale_job_minutes)

    async def _skip(self, job: Job, name: str, detail: str) -> Job:
        def decide(current: Job) -> bool:
            step = current.step(name)
            if step.finished or current.status not in (QUEUED, RUNNING):
                return False
            now = iso(self.clock())
            step.status, step.detail, step.startedAt, step.endedAt = SKIPPED, detail, step.startedAt or now, now
            return True
        return await self.journal.change(job.id, decide, job)

    # -- approval -------------------------------------------------------------------------------

    async def _gate(self, job: Job, users: dict[str, DirectoryUser]) -> Job:
        """Protected accounts wait for a human before any change (a dry run only notes it). Only an
        approval of a protection hold lets one through: the breaker's approval is not checked for that."""
        if protection_approved(job) or not self.settings.protected_accounts:
            return job
        try:
            reason = await protection_reason(self.settings, self.ports.directory,
                                             await looked_up(self.ports.directory, users, job.user))
        except PermanentError as exc:
            # Not knowing whether the account is protected is treated as protected.
            reason = f"could not check whether {job.user} is a protected account: {exc}"
        if not reason:
            return job
        note = hold(self.clock(), reason if job.mode != DRY_RUN else f"{reason} (dry run: noted, not waiting)")

        def decide(current: Job) -> bool:
            if current.status not in (QUEUED, RUNNING):
                raise ConflictError(f"job {current.id} is {current.status}")
            current.decisions.append(note)
            if current.mode != DRY_RUN:
                current.status, current.summary = AWAITING_APPROVAL, f"Waiting for approval: {reason}."
            return True
        return await self.journal.change(job.id, decide, job)

    async def request_approval(self, job: Job) -> None:
        """Mail the team that a job waits for them: once per job, or once an hour for the breaker."""
        holds = [decision for decision in job.decisions if decision.get("decision") == HOLD]
        if not holds:
            return
        recipients, unable = await self.mailer.audience(job.user)
        if unable:
            return
        reason, breaker = holds[-1]["comment"], bool(holds[-1].get("breaker"))
        hour = self.clock().strftime("%Y%m%d%H")
        key = f"breaker-mail|{hour}" if breaker else f"approval-mail|{job.id}"
        subject, body = notify.breaker_open(reason, hour) if breaker else notify.approval_needed(
            self.settings, job, reason)
        await self._mail_once(job, key, recipients, subject, body)

    async def report_failure(self, job: Job) -> None:
        """Mail the team once that a job failed half-way: what it changed, and what is left to them."""
        recipients, unable = await self.mailer.audience(job.user)
        if unable:
            log.error("job %s failed and the team cannot be told: %s", job.id, unable)
            return
        subject, body = notify.job_failed(self.settings, job)
        try:
            await self._mail_once(job, f"failed-mail|{job.id}", recipients, subject, body)
        except PermanentError as exc:
            log.error("job %s failed and the mail telling the team was refused: %s", job.id, exc)

    async def _mail_once(self, job: Job, key: str, recipients: list[str], subject: str, body: str) -> None:
        # Claimed before sending: jobs and retries run side by side, and only one of them may mail.
        if await self.ports.store.claim(MAIL, key, job.id) is not None:
            return
        try:
            await self.mailer.send(recipients, subject, body)
        except Exception:
            await self.ports.store.release(MAIL, key, job.id)   # unsent: the next job (or retry) mails
            raise

    # -- the end of a run -----------------------------------------------------------------------

    async def _conclude(self, job: Job) -> Job:
        status, summary = conclusion(job)
        if status != AWAITING_RELEASE:
            reason = "dry run: an enforce run would check an hour after the unblock" if status == "planned" \
                else "no follow-up: the user was not unblocked"
            return await self._end(job, status, summary, follow_up=(STEP_PLANNED if job.mode == DRY_RUN else SKIPPED,
                                                                    reason))
        delay = self.settings.follow_up_delay_seconds
        due = iso(self.clock() + timedelta(seconds=delay))
        # Sent before the status is saved: a duplicate (after a crash in between) is recognised
        # by its attempt number, while a lost one would leave the job waiting for the sweep.
        await self.ports.queue.send(follow_up_message(job.id, 1), delay_seconds=delay)

        def decide(current: Job) -> bool:
            if current.status != RUNNING:
                return False
            current.status, current.summary, current.follow_up_due_at = AWAITING_RELEASE, summary, due
            current.step(FOLLOW_UP).detail = f"First check due at {due}."
            return True
        return await self.journal.change(job.id, decide, job)

    async def _end(self, job: Job, status: str, summary: str, follow_up: tuple[str, str] | None = None) -> Job:
        def decide(current: Job) -> bool:
            if current.terminal:
                return False
            current.status, current.summary = status, summary
            for step in current.steps:
                if not step.finished:
                    step.status, step.detail = follow_up if follow_up and step.name == FOLLOW_UP else (
                        SKIPPED, f"Not run: the job ended {status}.")
            return True
        job = await self.journal.change(job.id, decide, job)
        await release_active(self.ports, job)
        return job


async def release_active(ports: Ports, job: Job) -> None:
    """A job that reached a terminal status no longer holds its user's `active` marker."""
    if job.terminal:
        await ports.store.release("active", job.user, job.id)
