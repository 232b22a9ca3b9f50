"""TableJobStore counters: the per-user unblock budget and the hourly breaker, against Azurite."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

NOW = datetime(2024, 5, 1, 10, 30, tzinfo=timezone.utc)


async def test_unblocks_are_counted_per_user_within_the_window(job_store):
    for days_ago in (10, 2, 0.1):
        await job_store.record_unblock("Adele.Vance@contoso.com", NOW - timedelta(days=days_ago), "job-1")
    await job_store.record_unblock("megan@contoso.com", NOW - timedelta(hours=1), "job-2")

    assert await job_store.unblocks_since("adele.vance@contoso.com", NOW - timedelta(days=7)) == 2
    assert await job_store.unblocks_since("ADELE.VANCE@contoso.com", NOW - timedelta(days=30)) == 3
    assert await job_store.unblocks_since("adele.vance@contoso.com", NOW) == 0
    assert await job_store.unblocks_since("megan@contoso.com", NOW - timedelta(days=7)) == 1


async def test_a_user_whose_address_extends_another_does_not_share_its_count(job_store):
    await job_store.record_unblock("ann@contoso.com", NOW, "job-1")
    await job_store.record_unblock("ann@contoso.co|x", NOW, "job-2")

    assert await job_store.unblocks_since("ann@contoso.co", NOW - timedelta(days=7)) == 0
    assert await job_store.unblocks_since("ann@contoso.com", NOW - timedelta(days=7)) == 1


async def test_recording_the_same_unblock_twice_counts_it_once(job_store):
    await job_store.record_unblock("adele@contoso.com", NOW, "job-1")
    await job_store.record_unblock("adele@contoso.com", NOW, "job-1")

    assert await job_store.unblocks_since("adele@contoso.com", NOW - timedelta(days=1)) == 1


async def test_concurrent_counts_of_automatic_jobs_all_count(job_store):
    counts = await asyncio.gather(*(job_store.add_automatic_job(NOW) for _ in range(10)))

    assert sorted(counts) == list(range(1, 11))
    assert await job_store.add_automatic_job(NOW.replace(minute=59)) == 11


async def test_reading_the_count_of_automatic_jobs_does_not_change_it(job_store):
    assert await job_store.automatic_jobs(NOW) == 0
    await job_store.add_automatic_job(NOW)
    assert [await job_store.automatic_jobs(NOW) for _ in range(2)] == [1, 1]
    assert await job_store.automatic_jobs(NOW + timedelta(hours=1)) == 0


async def test_each_hour_has_its_own_count(job_store):
    await job_store.add_automatic_job(NOW)
    assert await job_store.add_automatic_job(NOW + timedelta(hours=1)) == 1
    # The hour is the UTC hour, whatever the caller's time zone.
    assert await job_store.add_automatic_job(NOW.astimezone(timezone(timedelta(hours=2)))) == 2
