"""Storage throughput against a fresh Azurite: job rows and queue messages per second.

    python -m bench.storage_throughput [--count N] [--concurrency C]

Figures are for the emulator on this machine; they show the cost of our adapters (chunked
JSON, ETag checks, base64) relative to each other, not what Azure Storage would sustain.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone

from localdev.azurite import Azurite
from remediation.gateways.queue import StorageQueue
from remediation.gateways.storage_auth import StorageAccount
from remediation.gateways.store import TableJobStore
from remediation.models import QUEUED, RUNNING, Job, Trigger, iso
from remediation.settings import Settings


def _job() -> Job:
    now = iso(datetime.now(timezone.utc))
    return Job(id=uuid.uuid4().hex, user=f"user{uuid.uuid4().hex[:6]}@contoso.com", status=QUEUED, mode="enforce",
               trigger=Trigger("sweep"), createdAt=now, updatedAt=now)


async def _rate(count: int, concurrency: int, operation: Callable[[int], Awaitable[object]]) -> float:
    """Operations per second, `concurrency` at a time."""
    gate = asyncio.Semaphore(concurrency)

    async def one(number: int) -> None:
        async with gate:
            await operation(number)

    started = time.perf_counter()
    await asyncio.gather(*(one(number) for number in range(count)))
    return count / (time.perf_counter() - started)


async def measure(settings: Settings, count: int, concurrency: int) -> dict[str, float]:
    async with TableJobStore.from_settings(settings) as store, StorageQueue.from_settings(settings) as queue:
        async def add_and_save(_: int) -> None:
            job = await store.add(_job())
            job.status = RUNNING
            await store.save(job)

        figures = {"jobs added + saved / s": await _rate(count, concurrency, add_and_save)}
        # Warm up the queue (created once per process) before timing the sends.
        await queue.send({"kind": "run", "jobId": "warm-up"})
        figures["queue sends / s"] = await _rate(count, concurrency, lambda n: queue.send({"kind": "run", "jobId": n}))
        figures["contended breaker increments / s"] = await _rate(
            concurrency * 4, concurrency, lambda _: store.add_automatic_job(datetime.now(timezone.utc)))
    figures["queue receives + deletes / s"] = await _drain(settings, count + 1)
    return figures


async def _drain(settings: Settings, count: int) -> float:
    account = StorageAccount(settings)
    client, received = account.queue(settings.queue_name), 0
    started = time.perf_counter()
    try:
        while received < count:
            if time.perf_counter() - started > 60:
                raise RuntimeError(f"only {received} of {count} messages arrived within 60 s")
            async for message in client.receive_messages(messages_per_page=32, max_messages=count - received):
                await client.delete_message(message)
                received += 1
        return received / (time.perf_counter() - started)
    finally:
        await account.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    options = parser.parse_args(argv)
    with Azurite() as azurite:
        settings = Settings.from_env({"AzureWebJobsStorage": azurite.connection_string,
                                      "REMEDIATION_QUEUE": "bench-jobs", "JOBS_TABLE": "benchjobs"})
        figures = asyncio.run(measure(settings, options.count, options.concurrency))
    print(f"storage throughput against Azurite ({options.count} operations, {options.concurrency} at a time)")
    for name, value in figures.items():
        print(f"  {name:<36} {value:8.1f}")


if __name__ == "__main__":
    main()
