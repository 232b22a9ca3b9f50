"""What the watch costs: tenant requests per check, per job per day, and for 10,000 watched jobs a day.

Starts Azurite and an in-process sandbox tenant with one compromised, blocked user, runs the
job to `resolved` through the real gateways, then delivers one watch check and counts the
requests the sandbox received for it (its request log). The storage side of a check is
counted from the code path: one queue message in (put, get, delete), the job read and saved,
the next check's message put. Prices are list-price assumptions given as options (check
Azure's price pages for your region); the counts are measured.
"""

from __future__ import annotations

import argparse
import asyncio

import httpx

from bench.playbook_latency import TENANT, scenario
from localdev.azurite import Azurite
from localdev.tenant.server import BackgroundSandbox
from remediation import bootstrap
from remediation.messages import follow_up_message, run_message, watch_message
from remediation.models import Trigger
from remediation.settings import Settings

MAX_PER_JOB_DAY = 8                 # the budget of tenant requests per watched job per day
QUEUE_OPERATIONS_PER_CHECK = 4      # get + delete of the check's message, put of the next, the host's peek
TABLE_OPERATIONS_PER_CHECK = 2      # the job read and saved


async def one_check(settings: Settings, sandbox_url: str) -> int:
    service = bootstrap.build(settings)
    try:
        job, _ = await service.intake.request("user0@contoso.com", Trigger("sweep"))
        await service.worker.handle(run_message(job.id), 1, 5)
        await service.worker.handle(follow_up_message(job.id, 1), 1, 5)
        job = await service.admin.get(job.id)
        assert job.status == "resolved" and job.watch, f"the job is {job.status}: {job.summary}"
        async with httpx.AsyncClient(base_url=f"{sandbox_url}/_sandbox/") as control:
            await control.delete("requests")
            await service.worker.handle(watch_message(job.id, 1), 1, 5)
            return len((await control.get("requests")).json())
    finally:
        await bootstrap.close(service)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=10_000, help="resolved jobs watched at once")
    parser.add_argument("--interval", type=int, default=86400, help="WATCH_INTERVAL_SECONDS")
    parser.add_argument("--queue-price-per-10k", type=float, default=0.004, help="USD per 10,000 queue operations")
    parser.add_argument("--table-price-per-10k", type=float, default=0.00036, help="USD per 10,000 table operations")
    parser.add_argument("--execution-price-per-million", type=float, default=0.20, help="USD per million executions")
    args = parser.parse_args(argv)
    with Azurite() as azurite, BackgroundSandbox(scenario(1)) as sandbox:
        settings = Settings.from_env({
            "AzureWebJobsStorage": azurite.connection_string, "TENANT_ID": TENANT, "GRAPH_BASE_URL": sandbox.url,
            "EXCHANGE_BASE_URL": sandbox.url, "MANAGEMENT_API_BASE_URL": sandbox.url, "REMEDIATION_MODE": "enforce",
            "FOLLOW_UP_DELAY_SECONDS": "0", "WATCH_INTERVAL_SECONDS": str(args.interval)})
        per_check = asyncio.run(one_check(settings, sandbox.url))
    checks_per_day = 86400 / args.interval
    per_job_day = per_check * checks_per_day
    print(f"tenant requests per watch check: {per_check}")
    print(f"tenant requests per watched job per day (a check every {args.interval} s): {per_job_day:.1f} "
          f"({'within' if per_job_day <= MAX_PER_JOB_DAY else 'OVER'} the budget of {MAX_PER_JOB_DAY})")
    checks = args.jobs * checks_per_day
    queue, table = checks * QUEUE_OPERATIONS_PER_CHECK, checks * TABLE_OPERATIONS_PER_CHECK
    cost = (queue / 10_000 * args.queue_price_per_10k + table / 10_000 * args.table_price_per_10k
            + checks / 1e6 * args.execution_price_per_million)
    print(f"watching {args.jobs:,} resolved jobs for a day: {checks:,.0f} checks, {checks * per_check:,.0f} tenant "
          f"requests, {queue:,.0f} queue and {table:,.0f} table operations, {checks:,.0f} function executions: "
          f"about USD {cost:.4f} a day at the assumed prices (execution time excluded)")


if __name__ == "__main__":
    main()
