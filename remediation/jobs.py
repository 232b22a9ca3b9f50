"""Looking jobs up by the markers that name them, and letting a user's marker go."""

from __future__ import annotations

from remediation.errors import NotFoundError
from remediation.models import Job
from remediation.ports import ACTIVE, JobStore


async def existing(store: JobStore, job_id: str | None) -> Job | None:
    """The job a marker names; None for no marker, or a marker whose job was never saved."""
    if not job_id:
        return None
    try:
        return await store.get(job_id)
    except NotFoundError:
        return None


async def release_active(store: JobStore, job: Job) -> None:
    """A job that reached a terminal status no longer holds its user's `active` marker."""
    if job.terminal:
        await store.release(ACTIVE, job.user, job.id)


async def all_with_status(store: JobStore, status: str) -> list[Job]:
    jobs, continuation = [], None
    while True:
        page = await store.query(status=status, continuation=continuation, limit=100)
        jobs += page.items
        continuation = page.continuation
        if not continuation:
            return jobs
