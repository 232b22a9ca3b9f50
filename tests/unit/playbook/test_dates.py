"""Exchange renders a block's CreatedDatetime in more than one way: each one is read, and one
that cannot be read ends confirm_block with the raw value instead of crashing the worker."""

from __future__ import annotations

from dataclasses import replace

from datetime import datetime, timezone

import pytest

from remediation.models import parse_iso
from tests.plugins.playbook import ADELE
from tests.unit.playbook.helpers import run_job, statuses

HALF_PAST_SEVEN = datetime(2026, 11, 28, 7, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("text", [
    "2026-11-28T07:30:00Z", "2026-11-28T07:30:00.0000000Z", "2026-11-28T07:30:00", "2026-11-28T08:30:00+01:00",
    "/Date(1795851000000)/", "/Date(1795851000000+0100)/", "11/28/2026 7:30:00 AM", "11/28/2026 07:30:00",
    " 11/28/2026 7:30:00 AM ",
])
def test_every_rendering_of_a_date_is_read_as_utc(text):
    assert parse_iso(text) == HALF_PAST_SEVEN


def test_no_date_is_none_and_anything_else_an_error():
    assert parse_iso(None) is None and parse_iso("") is None and parse_iso("  ") is None
    for text in ("yesterday", "28.11.2026 07:30", "/Date(soon)/"):
        with pytest.raises(ValueError, match="^not a date: "):
            parse_iso(text)


async def test_a_block_dated_the_dotnet_way_is_handled_like_any_other(playbook):
    playbook.tenant.blocked[0] = replace(playbook.tenant.blocked[0], created="/Date(1795851000000)/")
    job = await run_job(playbook)
    assert job.status == "awaiting_release" and job.block["createdDatetime"] == "/Date(1795851000000)/"


async def test_a_created_date_that_cannot_be_read_fails_the_step_naming_it(playbook):
    playbook.tenant.blocked[0] = replace(playbook.tenant.blocked[0], created="28.11.2026 07:30")
    job = await run_job(playbook)
    step = job.step("confirm_block")
    assert step.status == "failed" and "the CreatedDatetime '28.11.2026 07:30' of adele@contoso.com" in step.detail
    assert job.status == "failed" and statuses(job)["reset_password"] == "skipped"
    assert playbook.tenant.count("reset_password") == 0


async def test_an_unreadable_date_at_the_follow_up_escalates(playbook):
    playbook.tenant.release_on_unblock = False
    job = await run_job(playbook)
    playbook.tenant.blocked[0] = replace(playbook.tenant.blocked[0], created="sometime")
    [(message, _)] = playbook.queue.take()
    playbook.clock.advance(hours=1)
    await playbook.service.worker.handle(message, 1, 5)
    job = await playbook.service.admin.get(job.id)
    assert job.status == "escalated" and "whether it is a new block is unknown" in job.summary
    assert "'sometime'" in job.summary and ADELE in job.summary
