"""JobStore on Azure Table storage (`.aio`): one table, laid out as docs/ARCHITECTURE.md says.

Every write that can race is guarded: jobs and the hourly counter by ETag, claims by
create-if-absent. Concurrent writers therefore never lose an update silently: they get a
ConflictError (jobs) or retry on the fresh value (counter, claims).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableEntity, UpdateMode
from azure.data.tables.aio import TableClient

from remediation.errors import ConflictError, NotFoundError
from remediation.gateways.storage_auth import StorageAccount, StorageAdapter, create_once
from remediation.gateways.storage_errors import TABLE_SERVICE, translated
from remediation.gateways.store_keys import (
    BREAKER, JOB, MARKER, UNBLOCK, claim_key, decode_continuation, encode_continuation, escape_key, hour_key,
    unblock_key, unblock_range,
)
from remediation.gateways.store_rows import job_from_row, job_row
from remediation.models import Job, normalize_user
from remediation.ports import Page
from remediation.settings import Settings

MAX_PAGE = 1000          # the most rows the Table service returns per request
RACE_ATTEMPTS = 50       # re-reads before a contended write gives up
_IF_UNCHANGED = {"match_condition": MatchConditions.IfNotModified}


class TableJobStore(StorageAdapter):
    def __init__(self, account: StorageAccount, table_name: str) -> None:
        super().__init__(account)
        self._table = account.table(table_name)
        self._table_url = f"{self._table.url}/{table_name}"

    @classmethod
    def from_settings(cls, settings: Settings) -> TableJobStore:
        return cls(StorageAccount(settings), settings.jobs_table)

    @asynccontextmanager
    async def _call(self) -> AsyncIterator[TableClient]:
        """The table, created on first use; errors leave this block translated."""
        await create_once(self._table_url, self._table.create_table, TABLE_SERVICE)
        with translated(TABLE_SERVICE):
            yield self._table

    # jobs

    async def add(self, job: Job) -> Job:
        async with self._call() as table:
            written = await table.create_entity(job_row(job))
        job.etag = written["etag"]
        return job

    async def get(self, job_id: str) -> Job:
        try:
            async with self._call() as table:
                return job_from_row(await table.get_entity(JOB, escape_key(job_id)))
        except NotFoundError as exc:
            raise NotFoundError(f"no remediation job {job_id}", service=TABLE_SERVICE, code=exc.code) from exc

    async def save(self, job: Job) -> Job:
        if not job.etag:
            raise ConflictError(f"job {job.id} has no ETag: read it before saving", service=TABLE_SERVICE)
        async with self._call() as table:
            written = await table.update_entity(job_row(job), mode=UpdateMode.REPLACE, etag=job.etag,
                                                **_IF_UNCHANGED)
        job.etag = written["etag"]
        return job

    async def query(self, user: str | None = None, status: str | None = None, limit: int = 50,
                    continuation: str | None = None) -> Page:
        """Jobs in id order. A page is full unless it is the last: the service may answer a filtered
        query with short pages, so we keep asking for what is missing."""
        conditions, parameters = ["PartitionKey eq @partition"], {"partition": JOB}
        if user:
            conditions.append("User eq @user")
            parameters["user"] = normalize_user(user)
        if status:
            conditions.append("Status eq @status")
            parameters["status"] = status
        limit, token = max(1, min(limit, MAX_PAGE)), decode_continuation(continuation)
        items: list[Job] = []
        async with self._call() as table:
            while len(items) < limit:
                pages = table.query_entities(" and ".join(conditions), parameters=parameters,
                                             results_per_page=limit - len(items)).by_page(continuation_token=token)
                items += [job_from_row(row) async for row in await anext(pages)]
                token = pages.continuation_token
                if not token:
                    break
        return Page(items, encode_continuation(token))

    # claims and markers

    async def claim(self, kind: str, key: str, job_id: str) -> str | None:
        row_key = claim_key(kind, key)
        for _ in range(RACE_ATTEMPTS):
            async with self._call() as table:
                try:
                    await table.create_entity({"PartitionKey": kind, "RowKey": row_key, "JobId": job_id})
                    return None
                except ResourceExistsError:
                    pass
                try:
                    return (await table.get_entity(kind, row_key))["JobId"]
                except ResourceNotFoundError:
                    continue  # released between our two calls: claim again
        raise ConflictError(f"could not claim {kind} {key}: it kept changing", service=TABLE_SERVICE)

    async def release(self, kind: str, key: str, job_id: str) -> None:
        row_key = claim_key(kind, key)
        async with self._call() as table:
            try:
                marker = await table.get_entity(kind, row_key)
            except ResourceNotFoundError:
                return
            if marker["JobId"] != job_id:
                return
            try:
                await table.delete_entity(kind, row_key, etag=marker.metadata["etag"], **_IF_UNCHANGED)
            except ResourceModifiedError:
                pass  # claims are never updated: a new ETag means another job claimed it since

    async def claimed(self, kind: str, key: str) -> str | None:
        return await self._value(kind, claim_key(kind, key), "JobId")

    async def get_marker(self, name: str) -> str | None:
        return await self._value(MARKER, escape_key(name), "Value")

    async def set_marker(self, name: str, value: str) -> None:
        async with self._call() as table:
            await table.upsert_entity({"PartitionKey": MARKER, "RowKey": escape_key(name), "Value": value},
                                      mode=UpdateMode.REPLACE)

    async def _value(self, partition: str, row_key: str, column: str) -> str | None:
        async with self._call() as table:
            try:
                return (await table.get_entity(partition, row_key, select=[column]))[column]
            except ResourceNotFoundError:
                return None

    # the unblock budget and the breaker

    async def record_unblock(self, user: str, at: datetime, job_id: str) -> None:
        """Upsert: recording the same unblock again (a retried message) does not count it twice."""
        row = {"PartitionKey": UNBLOCK, "RowKey": unblock_key(user, at), "User": normalize_user(user),
               "At": at, "JobId": job_id}
        async with self._call() as table:
            await table.upsert_entity(row, mode=UpdateMode.REPLACE)

    async def unblocks_since(self, user: str, since: datetime) -> int:
        low, high = unblock_range(user, since)
        async with self._call() as table:
            rows = table.query_entities("PartitionKey eq @partition and RowKey ge @low and RowKey lt @high",
                                        parameters={"partition": UNBLOCK, "low": low, "high": high},
                                        select=["RowKey"])
            return len([row async for row in rows])

    async def add_automatic_job(self, at: datetime) -> int:
        row_key = hour_key(at)
        for _ in range(RACE_ATTEMPTS):
            async with self._call() as table:
                try:
                    counter = await table.get_entity(BREAKER, row_key)
                except ResourceNotFoundError:
                    counter = None
                try:
                    return await self._increment(table, row_key, counter)
                except (ResourceExistsError, ResourceModifiedError):
                    # Another worker counted first: re-read after a short random pause, so the
                    # losers of one round do not collide again in the next.
                    await asyncio.sleep(random.uniform(0, 0.02))
        raise ConflictError(f"could not count the automatic job of hour {row_key}", service=TABLE_SERVICE)

    async def automatic_jobs(self, at: datetime) -> int:
        async with self._call() as table:
            try:
                return (await table.get_entity(BREAKER, hour_key(at)))["Count"]
            except ResourceNotFoundError:
                return 0

    @staticmethod
    async def _increment(table: TableClient, row_key: str, counter: TableEntity | None) -> int:
        if counter is None:
            await table.create_entity({"PartitionKey": BREAKER, "RowKey": row_key, "Count": 1})
            return 1
        count = counter["Count"] + 1
        await table.update_entity({"PartitionKey": BREAKER, "RowKey": row_key, "Count": count},
                                  mode=UpdateMode.REPLACE, etag=counter.metadata["etag"], **_IF_UNCHANGED)
        return count
