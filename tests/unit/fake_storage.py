"""Fakes of the storage ports (remediation/ports.py: JobStore, WorkQueue) for unit tests: the store
checks ETags and claims are create-if-absent like the table adapter; the queue keeps what was sent."""

from __future__ import annotations

import asyncio
import copy
import itertools
from datetime import datetime

from remediation.errors import ConflictError, NotFoundError
from remediation.models import Job, normalize_user
from remediation.ports import Page, QueuedMessage


class FakeStore:
    """JobStore in memory, with ETags on jobs and create-if-absent claims like the table adapter."""

    def __init__(self) -> None:
        self.jobs: dict[str, tuple[dict, str]] = {}
        self.claims: dict[tuple[str, str], str] = {}
        self.unblocks: list[tuple[str, datetime, str]] = []
        self.hours: dict[str, int] = {}
        self.markers: dict[str, str] = {}
        self._etags = itertools.count(1)

    def _stored(self, job: Job) -> str:
        etag = f'W/"{next(self._etags)}"'
        self.jobs[job.id] = (job.to_json(), etag)
        return etag

    async def add(self, job: Job) -> Job:
        await asyncio.sleep(0)
        if job.id in self.jobs:
            raise ConflictError(f"job {job.id} exists")
        return Job.from_json(job.to_json(), self._stored(job))

    async def get(self, job_id: str) -> Job:
        await asyncio.sleep(0)
        if job_id not in self.jobs:
            raise NotFoundError(f"no job {job_id}")
        data, etag = self.jobs[job_id]
        return Job.from_json(copy.deepcopy(data), etag)

    async def save(self, job: Job) -> Job:
        await asyncio.sleep(0)
        if job.id not in self.jobs or self.jobs[job.id][1] != job.etag:
            raise ConflictError(f"job {job.id} changed since it was read")
        return Job.from_json(job.to_json(), self._stored(job))

    async def query(self, user: str | None = None, status: str | None = None, limit: int = 50,
                    continuation: str | None = None) -> Page:
        found = [Job.from_json(copy.deepcopy(data), etag) for data, etag in self.jobs.values()
                 if (user is None or data["user"] == user) and (status is None or data["status"] == status)]
        start = int(continuation or 0)
        rest = found[start + limit:]
        return Page(found[start:start + limit], str(start + limit) if rest else None)

    @staticmethod
    def _key(kind: str, key: str) -> tuple[str, str]:
        return kind, key.lower() if kind in ("active", "block") else key

    async def claim(self, kind: str, key: str, job_id: str) -> str | None:
        await asyncio.sleep(0)
        if self._key(kind, key) in self.claims:
            return self.claims[self._key(kind, key)]
        self.claims[self._key(kind, key)] = job_id
        return None

    async def release(self, kind: str, key: str, job_id: str) -> None:
        if self.claims.get(self._key(kind, key)) == job_id:
            del self.claims[self._key(kind, key)]

    async def claimed(self, kind: str, key: str) -> str | None:
        return self.claims.get(self._key(kind, key))

    async def record_unblock(self, user: str, at: datetime, job_id: str) -> None:
        row = (normalize_user(user), at, job_id)
        if row not in self.unblocks:   # an upsert, as the table's row key is the user and the time
            self.unblocks.append(row)

    async def unblocks_since(self, user: str, since: datetime) -> int:
        return sum(1 for who, at, _ in self.unblocks if who == normalize_user(user) and at >= since)

    async def add_automatic_job(self, at: datetime) -> int:
        hour = at.strftime("%Y%m%d%H")
        self.hours[hour] = self.hours.get(hour, 0) + 1
        return self.hours[hour]

    async def automatic_jobs(self, at: datetime) -> int:
        return self.hours.get(at.strftime("%Y%m%d%H"), 0)

    async def get_marker(self, name: str) -> str | None:
        return self.markers.get(name)

    async def set_marker(self, name: str, value: str) -> None:
        self.markers[name] = value


class FakeQueue:
    def __init__(self) -> None:
        self.sent: list[tuple[dict, int]] = []
        self.poison: list[QueuedMessage] = []

    async def send(self, body: dict, *, delay_seconds: int = 0) -> None:
        if not 0 <= delay_seconds <= 7 * 24 * 3600:
            raise ValueError("a queue message can be hidden for at most 7 days")
        self.sent.append((copy.deepcopy(body), delay_seconds))

    async def poison_messages(self, limit: int = 32) -> list[QueuedMessage]:
        return self.poison[:limit]

    def take(self) -> list[tuple[dict, int]]:
        """The messages sent so far, removed from the queue (as a worker receives them)."""
        sent, self.sent = self.sent, []
        return sent
