"""How fast the O365 webhook acknowledges: p50/p99 of POST /api/alerts/o365 at a steady rate
(default 100 requests/s, 1,000 requests) against function_app.py on the local host, over loopback.

Each request is the Management API's notification of one content blob (the sandbox raised the
alert, without notifying anyone), with the Webhook-AuthID; the app validates it, enqueues a
fetch_content and answers 200, while its worker fetches the content in the same process: the
acknowledgement is measured under that load. Requests are sent on schedule (open loop): a slow
answer does not slow the sender down, it shows in the latency.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx

from bench._stack import stack
from localdev.tenant import scenario as scenarios


def _notification(app, raised: dict) -> list[dict]:
    return [{"tenantId": app.settings["TENANT_ID"], "clientId": "bench", "contentType": "Audit.General",
             "contentId": raised["contentId"], "contentUri": raised["contentUri"],
             "contentCreated": "2026-11-28T07:00:00.000Z", "contentExpiration": "2026-12-05T07:00:00.000Z"}]


async def _send(app, body: list[dict], rate: float, count: int) -> tuple[list[float], int]:
    headers = {"Webhook-AuthID": app.settings["O365_WEBHOOK_AUTH_ID"]}
    latencies, refused = [], 0
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=app.url, timeout=30, limits=limits) as client:
        start = time.perf_counter()

        async def one(index: int) -> None:
            nonlocal refused
            await asyncio.sleep(max(0.0, start + index / rate - time.perf_counter()))
            sent = time.perf_counter()
            response = await client.post("/api/alerts/o365", json=body, headers=headers)
            latencies.append(time.perf_counter() - sent)
            refused += response.status_code != 200

        await asyncio.gather(*(one(index) for index in range(count)))
    return latencies, refused


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=100.0, help="requests per second (default 100)")
    parser.add_argument("--count", type=int, default=1000, help="requests (default 1000)")
    args = parser.parse_args(argv)
    with stack(scenarios.read(scenarios.SCENARIOS / "test.yaml")) as app:
        raised = app.control("POST", "alerts/restricted-sender", {"user": "adele@contoso.com", "notify": False})
        body = _notification(app, raised)
        asyncio.run(_send(app, body, args.rate, 50))   # warm-up: imports, the first connections
        latencies, refused = asyncio.run(_send(app, body, args.rate, args.count))
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(f"{args.count} webhook requests at {args.rate:.0f}/s: p50 {statistics.median(ordered) * 1000:.1f} ms, "
          f"p99 {p99 * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms; answers other than 200: {refused}")


if __name__ == "__main__":
    main()
