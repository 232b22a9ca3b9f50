"""The local host: indexes an app, then serves its HTTP triggers, listens on its queues and
runs its timers (each under its singleton lock) until stopped.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Mapping

import azure.functions as func
from aiohttp import web

from localdev.host.config import HostConfig
from localdev.host.connections import StorageConnection, storage_connection
from localdev.host.errors import HostError
from localdev.host.http_server import HttpTriggers
from localdev.host.indexer import IndexedFunction, index, load_app
from localdev.host.invoker import Invoker
from localdev.host.messages import LEASE_SECONDS, MessageProcessor
from localdev.host.queues import QueueListener
from localdev.host.singleton import CONTAINER, ListenerLock, host_id
from localdev.host.storage import StorageClients, poison_queue_name
from localdev.host.timers import TimerRunner

log = logging.getLogger("Host")


class Host:
    """`async with Host(app, settings=...) as host:` serves `app` at `host.url` until the block ends.

    `app` is a FunctionApp or an import spec (`module` or `module:attribute`); `settings` are
    the app settings (bindings' `%NAME%` and connections are resolved from them).
    """

    def __init__(self, app: str | func.FunctionRegister, *, settings: Mapping[str, str],
                 config: HostConfig | None = None, port: int = 0, bind: str = "127.0.0.1",
                 lease_seconds: int = LEASE_SECONDS, shutdown_grace: float = 10.0) -> None:
        self._app = app
        self._settings = dict(settings)
        self.config = config or HostConfig()
        self._address = (bind, port)
        self._lease_seconds = lease_seconds
        self._grace = shutdown_grace
        self.functions: list[IndexedFunction] = []
        self.url = ""
        self._clients = StorageClients()
        self._http: HttpTriggers | None = None
        self._runner: web.AppRunner | None = None
        self._listeners: list[QueueListener] = []
        self._timers: list[TimerRunner] = []
        self._tasks: list[asyncio.Task] = []

    async def start(self) -> None:
        app = load_app(self._app) if isinstance(self._app, str) else self._app
        self.functions = index(app, self._settings)
        invoker = Invoker(timeout=self.config.function_timeout)
        by_trigger = {kind: [f for f in self.functions if f.trigger.type == kind]
                      for kind in ("httpTrigger", "queueTrigger", "timerTrigger")}
        # Build every listener before starting any, so a configuration error stops the host cleanly.
        self._listeners = [self._listener(function, invoker) for function in by_trigger["queueTrigger"]]
        self._timers = [self._timer(function, invoker) for function in by_trigger["timerTrigger"]]
        self._http = HttpTriggers(by_trigger["httpTrigger"], route_prefix=self.config.route_prefix,
                                  invoker=invoker, settings=self._settings)
        await self._serve_http()
        self._tasks = [asyncio.create_task(worker.run(), name=f"trigger-{worker.function.name}")
                       for worker in (*self._listeners, *self._timers)]
        for task in self._tasks:
            task.add_done_callback(_report_stopped)

    def _connection(self, function: IndexedFunction, name: str | None) -> StorageConnection:
        try:
            return storage_connection(name, self._settings)
        except HostError as error:
            raise HostError(f"function '{function.name}': {error}") from None

    def _listener(self, function: IndexedFunction, invoker: Invoker) -> QueueListener:
        connection = self._connection(function, function.trigger.get("connection"))
        queue = self._clients.queue(connection, function.trigger.get("queueName"))
        poison_name = poison_queue_name(queue.queue_name)
        poison = self._clients.queue(connection, poison_name) if poison_name else None
        processor = MessageProcessor(function, queue, poison, self.config.queues, invoker, self._lease_seconds)
        return QueueListener(processor)

    def _timer(self, function: IndexedFunction, invoker: Invoker) -> TimerRunner:
        # The singleton lock lives in the host's own storage, as in Azure.
        container = self._clients.container(self._connection(function, None), CONTAINER)
        lock = ListenerLock(container, host_id(self._settings), function.name, self.config.singleton)
        return TimerRunner(function, invoker, lock)

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

    async def stop(self) -> None:
        """Stop taking work, let running functions finish within the grace period, then close."""
        if self._runner:
            await self._runner.cleanup()
            self._runner = None
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
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
