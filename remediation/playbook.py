"""The playbook: the steps in order, who may run one, the approval gate, and how a run ends.

A worker claims a step (start time and its token, saved with the ETag) before it touches
the tenant, so two workers never run one step: the loser of the race stops. A step found
started by another worker is taken over only when that worker is presumed dead: the
message is a redelivery (its first delivery failed or crashed) or the step is older than
STALE_JOB_MINUTES. A taken-over step knows it (`StepRun.resumed`) and re-checks the tenant
before acting. No SDK imports here: everything outside goes through the ports.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Callable

from remediation.context import Context
from remediation.evidence import Collector
from remediation.errors import ConflictError, PermanentError
from remediation.models import (
    AWAITING_APPROVAL, AWAITING_RELEASE, CONFIRM_BLOCK, DRY_RUN, ENFORCE, FAILED, FOLLOW_UP, NOTIFY, PLANNED,
    QUEUED, RESET_PASSWORD, RUNNING, SKIPPED, STEP_FAILED, STEP_PLANNED, Job, iso, parse_iso,
)
from remediation.jobs import release_active
from remediation.messages import follow_up_message
from remediation.gate import gate
from remediation.holds import schedule_expiry
from remediation.policies import conclusion, is_automatic
from remediation.records import APP_ACTOR, Decision
from remediation.steps import STEPS
from remediation.steps.context import RESUMED, RUNNER, Outcome, StepRun, owned_by
from remediation.team_mail import report_failure, request_approval
from remediation.tenant import DirectoryUser


class Playbook:
    def __init__(self, context: Context) -> None:
        self.context = context

    async def run(self, job_id: str, *, redelivered: bool = False) -> Job:
        job = await self.context.journal.get(job_id)
        if not await self._runnable(job):
            return job
        runner, users = uuid.uuid4().hex, {}
        evidence = Collector(self.context, users)
        try:
            job = await self._run_steps(job, runner, redelivered, users, evidence)
        finally:
            await evidence.settle()
        if evidence.task is not None:
            job = await self.context.journal.get(job_id)   # with the evidence saved beside the steps
        return await self._conclude(job) if job.status == RUNNING else job

    async def _run_steps(self, job: Job, runner: str, redelivered: bool, users: dict[str, DirectoryUser],
                         evidence: Collector) -> Job:
        for name in STEPS:
            evidence.start(job)
            if job.status not in (QUEUED, RUNNING):
                return job
            if job.step(name).finished:
                continue
            if name == NOTIFY:
                await evidence.settle()   # the mail shows it
            if job.step(CONFIRM_BLOCK).status == STEP_FAILED and name != NOTIFY:
                job = await self._skip(job, name, "Skipped: the block could not be confirmed.")
                continue
            if name == RESET_PASSWORD and not job.step(name).startedAt:
                job = await gate(self.context, await self._follow_the_mode_setting(job), users)
                if job.status == AWAITING_APPROVAL:
                    await schedule_expiry(self.context, job)
                    await request_approval(self.context, job)
                    return job
            job, outcome = await self._step(job, name, runner, redelivered, users)
            if outcome is not None and outcome.ends:
                return await self._end(job, outcome.ends, outcome.detail)
        return job

    async def _runnable(self, job: Job) -> bool:
        """Finishes what a run that died left undone (the marker's release, the failure mail); False
        when the job waits for a human (who is reminded)."""
        if job.terminal:
            await release_active(self.context.ports.store, job)
        if job.status == FAILED:
            await report_failure(self.context, job)
        if job.status == AWAITING_APPROVAL:
            await request_approval(self.context, job)
            return False
        return True

    async def _step(self, job: Job, name: str, runner: str, redelivered: bool,
                    users: dict[str, DirectoryUser]) -> tuple[Job, Outcome | None]:
        """Claims the step and runs it; no outcome when another worker finished it meanwhile."""
        job = await self.context.journal.change(job.id, self._claim(name, runner, redelivered), job)
        if not owned_by(job, name, runner):
            return job, None
        run = StepRun(self.context, job, name, runner, users)
        try:
            outcome = await STEPS[name](run)
        except PermanentError as exc:
            outcome = Outcome(STEP_FAILED, str(exc))
        return await run.finish(outcome), outcome

    async def _follow_the_mode_setting(self, job: Job) -> Job:
        """REMEDIATION_MODE is the kill switch: an automatic job queued while it said enforce, that
        has changed nothing yet, runs as a dry-run plan once it says dry-run. An admin's job keeps
        the mode the admin asked for."""
        if job.mode != ENFORCE or self.context.settings.enforce or not is_automatic(job):
            return job

        def decide(current: Job) -> bool:
            if current.mode != ENFORCE or current.step(RESET_PASSWORD).startedAt:
                return False
            current.mode = DRY_RUN
            current.decisions.append(Decision(iso(self.context.clock()), APP_ACTOR, DRY_RUN,
                                              "REMEDIATION_MODE is dry-run now: this automatic job, queued in "
                                              "enforce mode, only plans its changes"))
            return True
        return await self.context.journal.change(job.id, decide, job)

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
            step.startedAt = step.startedAt or iso(self.context.clock())
            step.data[RUNNER] = runner
            job.status = RUNNING
            return True
        return decide

    def _stale(self, started: str) -> bool:
        moment = parse_iso(started)
        stale = timedelta(minutes=self.context.settings.stale_job_minutes)
        return moment is None or moment < self.context.clock() - stale

    async def _skip(self, job: Job, name: str, detail: str) -> Job:
        def decide(current: Job) -> bool:
            step = current.step(name)
            if step.finished or current.status not in (QUEUED, RUNNING):
                return False
            now = iso(self.context.clock())
            step.status, step.detail, step.startedAt, step.endedAt = SKIPPED, detail, step.startedAt or now, now
            return True
        return await self.context.journal.change(job.id, decide, job)

    # -- the end of a run -----------------------------------------------------------------------

    async def _conclude(self, job: Job) -> Job:
        status, summary = conclusion(job)
        if status != AWAITING_RELEASE:
            reason = "dry run: an enforce run would check an hour after the unblock" if status == PLANNED \
                else "no follow-up: the user was not unblocked"
            return await self._end(job, status, summary, follow_up=(STEP_PLANNED if job.mode == DRY_RUN else SKIPPED,
                                                                    reason))
        delay = self.context.settings.follow_up_delay_seconds
        due = iso(self.context.clock() + timedelta(seconds=delay))
        # Sent before the status is saved: a duplicate (after a crash in between) is recognised
        # by its attempt number, while a lost one would leave the job waiting for the sweep.
        await self.context.ports.queue.send(follow_up_message(job.id, 1), delay_seconds=delay)

        def decide(current: Job) -> bool:
            if current.status != RUNNING:
                return False
            current.status, current.summary, current.follow_up_due_at = AWAITING_RELEASE, summary, due
            current.step(FOLLOW_UP).detail = f"First check due at {due}."
            return True
        return await self.context.journal.change(job.id, decide, job)

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
        job = await self.context.journal.change(job.id, decide, job)
        await release_active(self.context.ports.store, job)
        return job

