"""TableJobStore claims, markers and key escaping, against Azurite."""

from __future__ import annotations

import asyncio

import pytest

from tests.plugins.storage import new_job

# Each holds a character Table keys refuse (/ \ # ? control) or one our keys treat specially (% |).
ODD_USERS = ["o'brien/sales@contoso.com", "back\\slash#1?@contoso.com", "tab\tand\x7fdel@contoso.com",
             "per%cent|pipe@contoso.com"]


async def test_a_second_claim_gets_the_first_claimers_job_id(job_store):
    assert await job_store.claim("active", "Adele.Vance@contoso.com", "job-1") is None
    assert await job_store.claim("active", "adele.vance@CONTOSO.COM", "job-2") == "job-1"
    assert await job_store.claimed("active", "ADELE.VANCE@contoso.com") == "job-1"


async def test_of_concurrent_claims_exactly_one_wins_and_the_others_learn_its_id(job_store):
    ids = [f"job-{n}" for n in range(8)]
    answers = await asyncio.gather(*(job_store.claim("block", "adele@contoso.com|2024-05-01T10:00:00Z", job_id)
                                     for job_id in ids))

    winner = ids[answers.index(None)]
    assert answers.count(None) == 1 and all(answer in (None, winner) for answer in answers)
    assert await job_store.claimed("block", "adele@contoso.com|2024-05-01T10:00:00Z") == winner


async def test_release_by_another_job_leaves_the_claim_and_release_by_its_owner_frees_it(job_store):
    await job_store.claim("active", "adele@contoso.com", "job-1")

    await job_store.release("active", "adele@contoso.com", "job-2")
    assert await job_store.claimed("active", "adele@contoso.com") == "job-1"

    await job_store.release("active", "Adele@contoso.com", "job-1")
    assert await job_store.claimed("active", "adele@contoso.com") is None
    assert await job_store.claim("active", "adele@contoso.com", "job-2") is None


async def test_releasing_what_was_never_claimed_is_harmless(job_store):
    await job_store.release("alert", "alert-1|adele@contoso.com", "job-1")
    assert await job_store.claimed("alert", "alert-1|adele@contoso.com") is None


async def test_alert_keys_keep_their_case(job_store):
    assert await job_store.claim("alert", "Content-AB", "job-1") is None
    assert await job_store.claim("alert", "content-ab", "job-2") is None


async def test_a_claim_kind_outside_the_layout_is_refused(job_store):
    with pytest.raises(ValueError, match="claim kind"):
        await job_store.claim("job", "anything", "job-1")


async def test_markers_read_none_until_set_and_then_the_latest_value(job_store):
    assert await job_store.get_marker("alerts_v2/watermark") is None
    await job_store.set_marker("alerts_v2/watermark", "2024-05-01T10:00:00Z")
    await job_store.set_marker("alerts_v2/watermark", "2024-05-01T11:00:00Z")
    assert await job_store.get_marker("alerts_v2/watermark") == "2024-05-01T11:00:00Z"
    assert await job_store.get_marker("alerts_v2#watermark") is None


@pytest.mark.parametrize("user", ODD_USERS)
async def test_users_with_characters_table_keys_refuse_are_stored_and_found(job_store, user):
    job = await job_store.add(new_job(user=user, id=f"id/{user}"))

    assert (await job_store.get(job.id)).user == user
    assert [found.id for found in (await job_store.query(user=user.upper())).items] == [job.id]
    assert await job_store.claim("active", user, job.id) is None
    assert await job_store.claimed("active", user.upper()) == job.id
    await job_store.set_marker(user, "seen")
    assert await job_store.get_marker(user) == "seen"
