"""The local host: indexes an app, then serves its HTTP triggers, listens on its queues and
runs its timers until stopped.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Mapping

import azure.functions as func
from aiohttp import web

from localdev.host.config import HostConfig
from localdev.host.errors import HostError
from localdev.host.http_server import HttpTriggers
from localdev.host.indexer import IndexedFunction, index, load_app
from localdev.host.invoker import Invoker
from localdev.host.outputs import QueueOutputs
from localdev.host.queues import DEFAULT_LEASE_SECONDS, QueueListener
from localdev.host.storage import QueueClients, connection_string
from localdev.host.timers import TimerRunner

log = logging.getLogger("Host")


class Host:
    """`async with Host(app, settings=...) as host:` serves `app` at `host.url` until the block ends.

    `app` is a FunctionApp or an import spec (`module` or `module:attribute`); `settings` are
    the app settings (bindings' `%NAME%` and connections are resolved from them).
    """

    def __init__(self, app: str | func.FunctionRegister, *, settings: Mapping[str, str],
                 config: HostConfig | None = None, port: int = 0, bind: str = "127.0.0.1",
                 lease_seconds: int = DEFAULT_LEASE_SECONDS, shutdown_grace: float = 10.0) -> None:
        self._app = app
        self._settings = dict(settings)
        self.config = config or HostConfig()
        self._address = (bind, port)
        self._lease_seconds = lease_seconds
        self._grace = shutdown_grace
        self.functions: list[IndexedFunction] = []
        self.url = ""
        self._clients = QueueClients()
        self._http: HttpTriggers | None = None
        self._runner: web.AppRunner | None = None
        self._listeners: list[QueueListener] = []
        self._timers: list[TimerRunner] = []
        self._tasks: list[asyncio.Task] = []

    async def start(self) -> None:
        app = load_app(self._app) if isinstance(self._app, str) else self._app
        self.functions = index(app, self._settings)
        outputs = QueueOutputs(self._clients, self._settings, self.config.queues.message_encoding, self._notify)
        invoker = Invoker(timeout=self.config.function_timeout, send_output=outputs.send)
        by_trigger = {kind: [f for f in self.functions if f.trigger.type == kind]
                      for kind in ("httpTrigger", "queueTrigger", "timerTrigger")}
        # Build every listener before starting any, so a configuration error stops the host cleanly.
        self._listeners = [self._listener(function, invoker) for function in by_trigger["queueTrigger"]]
        self._timers = [TimerRunner(function, invoker) for function in by_trigger["timerTrigger"]]
        self._http = HttpTriggers(by_trigger["httpTrigger"], route_prefix=self.config.route_prefix,
                                  invoker=invoker, settings=self._settings)
        await self._serve_http()
        self._tasks = [asyncio.create_task(worker.run(), name=f"trigger-{worker.function.name}")
                       for worker in (*self._listeners, *self._timers)]
        for task in self._tasks:
            task.add_done_callback(_report_stopped)

    def _listener(self, function: IndexedFunction, invoker: Invoker) -> QueueListener:
        connection = connection_string(function.trigger.get("connection"), self._settings)
        return QueueListener(function, clients=self._clients, connection=connection, options=self.config.queues,
                             invoker=invoker, lease_seconds=self._lease_seconds)

    async def _serve_http(self) -> None:
        try:
            listening = socket.create_server(self._address)
        except OSError as error:
            raise HostError(f"cannot listen on {self._address[0]}:{self._address[1]}: {error.strerror}") from None
        self._runner = web.AppRunner(self._http.application(), shutdown_timeout=self._grace, access_log=None)
        await self._runner.setup()
        await web.SockSite(self._runner, listening).start()
        host, port = listening.getsockname()[:2]
        self.url = f"http://{host}:{port}"

    def describe(self) -> list[str]:
        """One line a function, as `func start` lists them."""
        lines = [f"{route.function.name}: [{','.join(sorted(route.methods)) or 'ALL'}] {self.url}{route.url_path}"
                 for route in (self._http.routes if self._http else [])]
        lines += [f"{listener.function.name}: queueTrigger ({listener.queue_name})" for listener in self._listeners]
        lines += [f"{timer.function.name}: timerTrigger ({timer.schedule.expression})" for timer in self._timers]
        return lines

    def _notify(self, queue_name: str) -> None:
        for listener in self._listeners:
            if listener.queue_name == queue_name:
                listener.notify()

    async def stop(self) -> None:
        """Stop taking work, let running functions finish within the grace period, then close."""
        if self._runner:
            await self._runner.cleanup()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await asyncio.gather(*(worker.drain(self._grace) for worker in (*self._listeners, *self._timers)))
        await self._clients.close()

    async def __aenter__(self) -> "Host":
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


def _report_stopped(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception():
        log.error("%s stopped", task.get_name(), exc_info=task.exception())
