"""One in-memory stand-in for the five services (Intake, Admin, Worker, Schedules, Health), with
the methods of the table in docs/ARCHITECTURE.md. It records what the handlers asked for;
`failure` makes every call raise."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from remediation.errors import NotFoundError, StateConflictError
from remediation.models import APPROVE, AWAITING_APPROVAL, CANCEL, CANCELLED, QUEUED, Job, Trigger, iso
from remediation.ports import Page
from remediation.records import Decision, Identity

NOW = datetime(2025, 5, 6, 7, 8, 9, tzinfo=timezone.utc)


class FakeServices:
    def __init__(self) -> None:
        self.jobs: dict[str, Job] = {}
        self.content: list[dict] = []          # fetch_content pointers enqueued
        self.handled: list[tuple[dict, int, int]] = []
        self.calls: list[str] = []
        self.blocked: list[dict] = []
        self.checks: dict[str, dict] = {"storage": {"ok": True}, "settings": {"ok": True}}
        self.poison: list[dict] = []
        self.failure: Exception | None = None
        self.deciders: list[Identity] = []     # the `by` of each approve and cancel

    def _called(self, name: str) -> None:
        self.calls.append(name)
        if self.failure:
            raise self.failure

    def add(self, user: str, status: str = QUEUED, source: str = "admin") -> Job:
        job = Job(id=uuid.uuid4().hex, user=user, status=status, mode="enforce", trigger=Trigger(source),
                  createdAt=iso(NOW), updatedAt=iso(NOW))
        self.jobs[job.id] = job
        return job

    async def request(self, user: str, trigger: Trigger, *, mode: str | None = None,
                      force: bool = False) -> tuple[Job, bool]:
        self._called("request")
        active = next((job for job in self.jobs.values() if job.user == user and not job.terminal), None)
        if active:
            return active, False
        job = self.add(user)
        job.trigger, job.mode, job.force = trigger, mode or "dry-run", force
        return job, True

    async def get(self, job_id: str) -> Job:
        self._called("get")
        if job_id not in self.jobs:
            raise NotFoundError(f"no job {job_id}")
        return self.jobs[job_id]

    async def query(self, user: str | None = None, status: str | None = None, continuation: str | None = None,
                    limit: int = 50) -> Page:
        self._called("query")
        jobs = [job for job in self.jobs.values()
                if (user is None or job.user == user) and (status is None or job.status == status)]
        start = int(continuation or 0)
        more = start + limit < len(jobs)
        return Page(jobs[start:start + limit], str(start + limit) if more else None)

    async def _decide(self, job_id: str, by: Identity, comment: str, decision: str, status: str) -> Job:
        job = await self.get(job_id)
        if job.terminal or (decision == APPROVE and job.status != AWAITING_APPROVAL):
            raise StateConflictError(f"job {job_id} is {job.status}")
        job.status = status
        job.decisions.append(Decision(iso(NOW), str(by), decision, comment))
        self.deciders.append(by)
        return job

    async def approve(self, job_id: str, by: Identity, comment: str = "") -> Job:
        return await self._decide(job_id, by, comment, APPROVE, QUEUED)

    async def cancel(self, job_id: str, by: Identity, comment: str = "") -> Job:
        return await self._decide(job_id, by, comment, CANCEL, CANCELLED)

    async def enqueue_content(self, items: list[dict]) -> int:
        self._called("enqueue_content")
        known = {item["contentId"] for item in self.content}
        new = [item for item in items if item["contentId"] not in known]
        self.content += new
        return len(new)

    async def handle(self, message: dict, dequeue_count: int, max_dequeue_count: int) -> None:
        self._called("handle")
        self.handled.append((message, dequeue_count, max_dequeue_count))

    async def sweep(self) -> list[Job]:
        self._called("sweep")
        return [self.add(entry["senderAddress"], source="sweep") for entry in self.blocked]

    async def poll_security_alerts(self) -> list[Job]:
        self._called("poll_security_alerts")
        return []

    async def poison_report(self) -> list[dict]:
        self._called("poison_report")
        return self.poison

    async def restricted_senders(self) -> list[dict]:
        self._called("restricted_senders")
        return self.blocked

    async def check(self, deep: bool = False) -> dict:
        self._called(f"health(deep={deep})")
        return {"checks": self.checks}
