"""What a step sees while it runs (`StepRun`) and what it reports (`Outcome`).

A step is claimed by one worker (its token is in `step.data["runner"]`) before it touches
the tenant. Everything the step records is saved through the journal, and only while the
step is still this worker's: a worker that finds it taken over or the job cancelled stops.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Awaitable, Callable, TypeVar

from remediation.audit import Journal, entry
from remediation.context import Context, Ports
from remediation.errors import ConflictError, PermanentError, ThrottledError
from remediation.models import AWAITING_APPROVAL, DRY_RUN, Job, Step, iso, normalize_user
from remediation.ports import Directory
from remediation.records import AuditEntry
from remediation.settings import Settings
from remediation.tenant import DirectoryUser

T = TypeVar("T")
RUNNER = "runner"      # step.data key: the token of the worker running the step
RESUMED = "resumed"    # step.data key: the step was started by an earlier attempt that did not finish


@dataclass
class Outcome:
    status: str
    detail: str
    data: dict = field(default_factory=dict)
    snapshot: object = None                      # what was there before any change (kept if already saved)
    apply: Callable[[Job], None] | None = None   # job-level facts the step found (block, unblock time)
    ends: str | None = None                      # a job status that ends the run here (resolved, cancelled)


def owned_by(job: Job, name: str, runner: str) -> bool:
    step = job.step(name)
    return (not job.terminal and job.status != AWAITING_APPROVAL and not step.finished
            and step.data.get(RUNNER) == runner)


async def looked_up(directory: Directory, users: dict[str, DirectoryUser], user: str) -> DirectoryUser:
    """`user` from the directory, read once per playbook run (`users` is the run's)."""
    if user not in users:
        users[user] = await directory.get_user(user)
    return users[user]


def mailbox_of(user: DirectoryUser) -> str:
    """Whom the Exchange calls name: the user Graph resolved, by UPN (Exchange anchors its admin
    API on it), not the address the job came with, which may be any alias the user was blocked under."""
    return normalize_user(user.user_principal_name)


class StepRun:
    """One step of one job on this worker: the run context, the job as last saved, and the
    step's claim token (`runner`)."""

    def __init__(self, context: Context, job: Job, name: str, runner: str,
                 users: dict[str, DirectoryUser] | None = None) -> None:
        self.context = context
        self.job = job
        self.name = name
        self.runner = runner
        self.audit: list[AuditEntry] = []   # entries not saved yet
        self._users = {} if users is None else users   # shared by the steps of one run: one lookup, not one a step

    @property
    def ports(self) -> Ports:
        return self.context.ports

    @property
    def settings(self) -> Settings:
        return self.context.settings

    @property
    def journal(self) -> Journal:
        return self.context.journal

    def clock(self) -> datetime:
        return self.context.clock()

    @property
    def step(self) -> Step:
        return self.job.step(self.name)

    @property
    def dry_run(self) -> bool:
        return self.job.mode == DRY_RUN

    @property
    def resumed(self) -> bool:
        return bool(self.step.data.get(RESUMED))

    @property
    def snapshot(self) -> object:
        return self.job.snapshot.get(self.name)

    async def user(self) -> DirectoryUser:
        return await looked_up(self.ports.directory, self._users, self.job.user)

    async def mailbox(self) -> str:
        """The mailbox the job's address resolved to (see `mailbox_of`)."""
        return mailbox_of(await self.user())

    async def act(self, action: str, target: str, why: str, call: Callable[[], Awaitable[T]]) -> T:
        """Run one change on the tenant and put it in the audit trail, with its result."""
        try:
            result = await call()
        except PermanentError as exc:
            self.audit.append(entry(self.clock(), action, target, why, f"failed: {exc}"))
            raise
        self.audit.append(entry(self.clock(), action, target, why))
        return result

    async def checkpoint(self, snapshot: object = None, **data: object) -> None:
        """Save what the step knows so far (before a change it must not repeat, or a snapshot
        that must be taken before any change)."""
        def decide(job: Job) -> bool:
            self._own(job)
            job.step(self.name).data.update(data)
            if snapshot is not None:
                job.snapshot.setdefault(self.name, snapshot)
            job.audit.extend(self.audit)
            return True

        self.job = await self.journal.change(self.job.id, decide, self.job)
        self.audit = []

    async def finish(self, outcome: Outcome) -> Job:
        def decide(job: Job) -> bool:
            self._own(job)
            step = job.step(self.name)
            step.status, step.detail, step.endedAt = outcome.status, outcome.detail, iso(self.clock())
            step.data.update(outcome.data)
            step.data.pop(RUNNER, None)
            if outcome.snapshot is not None:
                job.snapshot.setdefault(self.name, outcome.snapshot)
            job.audit.extend(self.audit)
            if outcome.apply:
                outcome.apply(job)
            return True

        self.job = await self.journal.change(self.job.id, decide, self.job)
        self.audit = []
        return self.job

    def _own(self, job: Job) -> None:
        if not owned_by(job, self.name, self.runner):
            raise ConflictError(f"step {self.name} of job {job.id} is no longer this worker's "
                                f"(job {job.status})")

    async def once(self, marker: str, action: str, target: str, why: str, call: Callable[[], Awaitable[T]]) -> T:
        """A change whose outcome cannot be read back (a password reset, an unblock, a mail): its
        request time is saved under `marker` first, so an attempt that dies inside it is never
        repeated blindly by the next one. A 429 means the service did not act: the mark is lifted."""
        await self.checkpoint(**{marker: iso(self.clock())})
        try:
            return await self.act(action, target, why, call)
        except ThrottledError:
            await self.checkpoint(**{marker: None})
            raise
