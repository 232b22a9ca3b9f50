"""What the retry transport and the Graph SDK cost per call, with no network in the way.

    python -m bench.retry_overhead [--count N]

Each figure is microseconds per call against httpx.MockTransport: a bare httpx client, the
same client on our RetryTransport (the request succeeds at once), our Graph gateway's
get_user (msgraph-sdk's request builders and middleware; the body read as JSON, as filling
the SDK's User model took about 5 ms of CPU per call here), and a call throttled once
(Retry-After 0) before it succeeds.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

import httpx

from remediation.gateways.graph import GraphDirectory
from remediation.gateways.http import RetryPolicy, RetryTransport, http_client
from remediation.settings import Settings

USER = {"id": "87d349ed-44d7-43e1-9a83-5f2406dee5bd", "userPrincipalName": "adele@contoso.com",
        "accountEnabled": True}
URL = "http://127.0.0.1:9/v1.0/users/adele@contoso.com"


def _answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=USER)


def _throttled_every_other_call() -> httpx.MockTransport:
    calls = iter(range(10**9))
    return httpx.MockTransport(lambda request: httpx.Response(429, headers={"Retry-After": "0"})
                               if next(calls) % 2 == 0 else _answer(request))


async def _micros(count: int, call: Callable[[], Awaitable[object]]) -> float:
    await call()   # warm up: connection pools, lazy imports
    started = time.perf_counter()
    for _ in range(count):
        await call()
    return (time.perf_counter() - started) / count * 1e6


async def measure(count: int) -> dict[str, float]:
    policy = RetryPolicy(max_wait=1.0)
    figures = {}
    async with httpx.AsyncClient(transport=httpx.MockTransport(_answer)) as bare:
        figures["bare httpx"] = await _micros(count, lambda: bare.get(URL))
    async with http_client(RetryTransport(policy, httpx.MockTransport(_answer))) as retrying:
        figures["retry transport"] = await _micros(count, lambda: retrying.get(URL))
    async with http_client(RetryTransport(policy, _throttled_every_other_call())) as throttled:
        figures["retry transport, one 429 first"] = await _micros(count, lambda: throttled.get(URL))
    directory = GraphDirectory(Settings(graph_base_url="http://127.0.0.1:9"), transport=httpx.MockTransport(_answer),
                               retry=policy)
    figures["Graph gateway get_user"] = await _micros(count, lambda: directory.get_user("adele@contoso.com"))
    await directory.aclose()
    return figures


def main(argv: list[str] | None = None) -> None:
    logging.getLogger("remediation.gateways.http").setLevel(logging.ERROR)   # one line per retry otherwise
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args(argv)
    for name, micros in asyncio.run(measure(args.count)).items():
        print(f"{name:34} {micros:9.1f} µs/call")


if __name__ == "__main__":
    main()
