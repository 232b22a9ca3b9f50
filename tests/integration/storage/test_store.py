"""TableJobStore against Azurite: job rows, ETags, paging."""

from __future__ import annotations

import asyncio
import re

import pytest

from remediation.errors import ConflictError, NotFoundError, RequestError
from remediation.models import ESCALATED, QUEUED, RESOLVED, RUNNING
from tests.plugins.storage import new_job


async def test_a_job_round_trips_with_a_snapshot_larger_than_one_property(job_store, storage_account, settings):
    rules = [{"id": f"rule-{n}", "displayName": f"Règle {n} 😀", "actions": {"forwardTo": ["x@evil.example"]}}
             for n in range(1500)]
    job = new_job(snapshot={"inbox_rules": {"rules": rules}}, block={"senderAddress": "adele.vance@contoso.com"})

    added = await job_store.add(job)
    loaded = await job_store.get(job.id)

    assert added.etag and loaded.etag == added.etag
    assert loaded == job
    row = await storage_account.table(settings.jobs_table).get_entity("job", job.id)
    assert row["JsonChunks"] > 3 and all(len(row[f"Json{n}"]) <= 32_000 for n in range(row["JsonChunks"]))


async def test_save_replaces_the_job_and_a_shrunk_job_reads_back_whole(job_store):
    job = await job_store.add(new_job(snapshot={"big": "x" * 100_000}))
    job.snapshot, job.status = {}, RUNNING
    job.step("confirm_block").status = "done"

    saved = await job_store.save(job)

    assert saved.etag and (await job_store.get(job.id)) == job


async def test_save_with_a_stale_etag_is_a_conflict_and_changes_nothing(job_store):
    job = await job_store.add(new_job())
    first, second = await job_store.get(job.id), await job_store.get(job.id)
    first.status = RUNNING
    await job_store.save(first)

    second.status = RESOLVED
    with pytest.raises(ConflictError, match=r"\(UpdateConditionNotSatisfied\)"):
        await job_store.save(second)
    assert (await job_store.get(job.id)).status == RUNNING


async def test_of_two_concurrent_saves_exactly_one_wins(job_store):
    job = await job_store.add(new_job())
    contenders = [await job_store.get(job.id) for _ in range(2)]
    contenders[0].status, contenders[1].status = RESOLVED, ESCALATED

    outcomes = await asyncio.gather(*(job_store.save(copy) for copy in contenders), return_exceptions=True)

    winners = [outcome for outcome in outcomes if not isinstance(outcome, Exception)]
    assert len(winners) == 1 and isinstance(next(o for o in outcomes if o not in winners), ConflictError)
    assert (await job_store.get(job.id)).status == winners[0].status


async def test_saving_a_job_never_read_is_refused(job_store):
    with pytest.raises(ConflictError, match="no ETag"):
        await job_store.save(new_job())


async def test_adding_an_existing_id_is_a_conflict(job_store):
    job = await job_store.add(new_job())
    with pytest.raises(ConflictError, match=r"already exists\. \(EntityAlreadyExists\)"):
        await job_store.add(new_job(id=job.id, user="someone.else@contoso.com"))
    assert (await job_store.get(job.id)).user == job.user


async def test_a_missing_job_is_not_found(job_store):
    with pytest.raises(NotFoundError, match="no remediation job nope"):
        await job_store.get("nope")


async def _all_pages(job_store, **query):
    pages, continuation = [], None
    while True:
        page = await job_store.query(continuation=continuation, **query)
        pages.append(page.items)
        if not (continuation := page.continuation):
            return pages
        assert re.fullmatch(r"[A-Za-z0-9_-]+", continuation), "the token must travel in a URL as it is"


async def test_query_filters_by_user_and_status_and_pages_through_the_continuation(job_store):
    adele = [await job_store.add(new_job(status=QUEUED if n % 2 else RESOLVED)) for n in range(7)]
    for _ in range(3):
        await job_store.add(new_job(user="megan.bowen@contoso.com"))

    pages = await _all_pages(job_store, user="Adele.Vance@CONTOSO.com", limit=3)

    assert [len(items) for items in pages] == [3, 3, 1]
    assert sorted(job.id for items in pages for job in items) == sorted(job.id for job in adele)
    queued = await _all_pages(job_store, user="adele.vance@contoso.com", status=QUEUED, limit=2)
    assert sorted(job.id for items in queued for job in items) == sorted(j.id for j in adele if j.status == QUEUED)
    assert len((await job_store.query(limit=50)).items) == 10


async def test_a_continuation_token_not_issued_by_the_store_is_a_bad_request(job_store):
    with pytest.raises(RequestError, match="continuation"):
        await job_store.query(continuation="not-a-token")
