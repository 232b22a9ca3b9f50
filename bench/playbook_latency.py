"""How long the playbook takes per compromised user, and what intake costs, against the sandbox.

Starts Azurite and an in-process sandbox tenant seeded with N compromised, blocked users
(the standard compromise: external forwarding rule, hidden rule, SMTP forwarding), then:
- intake: `Intake.request()` per user (what every trigger does before answering);
- playbook: the `run` message of each job, C at a time, through the real gateways;
- follow-up: the follow-up message of each job.
Prints per-job latency percentiles, jobs per second and the process's peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import time

from localdev.azurite import Azurite
from localdev.tenant.server import BackgroundSandbox
from remediation import bootstrap
from remediation.models import Trigger
from remediation.settings import Settings

TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"


def scenario(users: int) -> dict:
    people = [{
        "id": f"00000000-0000-4000-8000-{n:012d}", "userPrincipalName": f"user{n}@contoso.com",
        "mail": f"user{n}@contoso.com", "displayName": f"User {n}",
        "inboxRules": [
            {"id": "AQAAAJ5dZqA=", "displayName": ".", "sequence": 1,
             "actions": {"forwardTo": [{"emailAddress": {"address": f"drop{n}@mailbox.example"}}]}},
            {"id": "AQAAAJ5dZqE=", "displayName": "..", "sequence": 2, "hidden": True,
             "conditions": {"bodyOrSubjectContains": ["invoice"]}, "actions": {"delete": True}},
        ],
        "mailbox": {"ForwardingSmtpAddress": f"smtp:drop{n}@mailbox.example", "DeliverToMailboxAndForward": True},
    } for n in range(users)]
    people.append({"id": "00000000-0000-4000-8000-999999999999", "userPrincipalName": "secops@contoso.com",
                   "displayName": "Security Operations"})
    return {"tenant": {"id": TENANT, "domains": [{"id": "contoso.com", "authenticationType": "Managed",
                                                   "isDefault": True, "isVerified": True}]},
            "users": people,
            "blockedSenders": [{"SenderAddress": f"user{n}@contoso.com", "Reason": "OutboundSpam",
                                "CreatedDatetime": "2026-11-28T07:00:00Z", "TemporaryBlock": False}
                               for n in range(users)],
            "exchange": {"unblockLimit": 3, "releaseDelaySeconds": 0, "pageSize": 1000}}


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms"


async def timed(call) -> float:
    started = time.perf_counter()
    await call
    return time.perf_counter() - started


async def measure(settings: Settings, users: int, concurrency: int) -> None:
    service = bootstrap.build(settings)
    try:
        requests = [await timed(service.intake.request(f"user{n}@contoso.com", Trigger("sweep"))) for n in range(users)]
        print(f"intake   {users} requests, one at a time: {percentiles(requests)}")
        jobs = (await service.admin.query(limit=users)).items
        gate = asyncio.Semaphore(concurrency)

        async def handle(body: dict) -> float:
            async with gate:
                return await timed(service.worker.handle(body, 1, 5))

        for kind, body_of in (("run", lambda job: {"kind": "run", "jobId": job.id}),
                              ("follow-up", lambda job: {"kind": "follow_up", "jobId": job.id, "attempt": 1})):
            started = time.perf_counter()
            samples = await asyncio.gather(*(handle(body_of(job)) for job in jobs))
            elapsed = time.perf_counter() - started
            print(f"{kind:9} {users} jobs, {concurrency} at a time: {users / elapsed:.1f} jobs/s; per job "
                  f"{percentiles(list(samples))}")
        statuses = {job.status for job in (await service.admin.query(limit=users)).items}
        print(f"final statuses: {sorted(statuses)}")
    finally:
        await bootstrap.close(service)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args(argv)
    with Azurite() as azurite, BackgroundSandbox(scenario(args.users)) as sandbox:
        settings = Settings.from_env({
            "AzureWebJobsStorage": azurite.connection_string, "TENANT_ID": TENANT, "GRAPH_BASE_URL": sandbox.url,
            "EXCHANGE_BASE_URL": sandbox.url, "MANAGEMENT_API_BASE_URL": sandbox.url, "REMEDIATION_MODE": "enforce",
            "NOTIFY_SENDER": "secops@contoso.com", "NOTIFY_RECIPIENTS": "soc@contoso.com",
            "FOLLOW_UP_DELAY_SECONDS": "0", "UNBLOCK_BUDGET_COUNT": "1000",
            "BREAKER_MAX_JOBS_PER_HOUR": str(args.users + 1)})
        asyncio.run(measure(settings, args.users, args.concurrency))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process (app + in-process sandbox): {peak:.0f} MiB")


if __name__ == "__main__":
    main()
