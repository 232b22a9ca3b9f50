"""Run the sandbox tenant: in the foreground (`python -m localdev.tenant`) or on a background
thread with its own event loop (the test fixtures and `make run`)."""

from __future__ import annotations

import asyncio
import threading

from aiohttp import web

from localdev.ports import free_port
from localdev.tenant import entra, tls
from localdev.tenant.app import create_app


async def start(app: web.Application, host: str, port: int,
                tls_port: int | None = None) -> tuple[web.AppRunner, str, str]:
    """Bind (port 0 picks a free one) and return the runner, the root URL and, with `tls_port`,
    the root URL of the same sandbox over HTTPS (Entra's issuer then names that one)."""
    tls_url = ""
    if tls_port is not None:
        tls_url = f"https://{host}:{tls_port or free_port()}"
        app[entra.ISSUER_BASE] = tls_url
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    bound = runner.addresses[0][1]
    if tls_url:
        await web.TCPSite(runner, host, int(tls_url.rpartition(":")[2]), ssl_context=tls.server_context(host)).start()
    return runner, f"http://{host}:{bound}", tls_url


class BackgroundSandbox:
    """The sandbox on a daemon thread: `url` once `start()` returns; `stop()` shuts it down."""

    def __init__(self, scenario: dict | None = None, host: str = "127.0.0.1", port: int = 0,
                 tls_port: int | None = None) -> None:
        self.scenario, self.host, self.port, self.tls_port = scenario, host, port, tls_port
        self.url = self.tls_url = ""
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="sandbox-tenant", daemon=True)

    def start(self, timeout: float = 10.0) -> "BackgroundSandbox":
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(
            start(create_app(self.scenario), self.host, self.port, self.tls_port), self._loop)
        self._runner, self.url, self.tls_url = future.result(timeout)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)

    def __enter__(self) -> "BackgroundSandbox":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
