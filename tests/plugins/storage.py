"""Fixtures for the storage tests: the real adapters connected to Azurite, per-test queue/table."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from remediation.gateways.queue import StorageQueue
from remediation.gateways.storage_auth import StorageAccount
from remediation.gateways.store import TableJobStore
from remediation.models import QUEUED, Job, Trigger, iso


def new_job(user: str = "adele.vance@contoso.com", **changes) -> Job:
    """A fresh queued job (a new id each call); keyword arguments replace any field."""
    now = iso(datetime.now(timezone.utc))
    job = Job(id=uuid.uuid4().hex, user=user, status=QUEUED, mode="enforce", trigger=Trigger("admin"),
              createdAt=now, updatedAt=now)
    return replace(job, **changes)


@pytest.fixture
async def job_store(settings):
    async with TableJobStore.from_settings(settings) as store:
        yield store


@pytest.fixture
async def work_queue(settings):
    async with StorageQueue.from_settings(settings) as queue:
        yield queue


@pytest.fixture
async def storage_account(settings):
    """Builds raw SDK clients for the test's own storage (e.g. to read a queue as it is on the wire)."""
    account = StorageAccount(settings)
    yield account
    await account.close()
