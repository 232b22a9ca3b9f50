"""The composition root: builds the real gateways, the run context and the services from
Settings, once per worker process."""

from __future__ import annotations

from remediation.context import Clock, Context, Ports
from remediation.gateways.exchange import ExchangeAdminClient
from remediation.gateways.graph import GraphDirectory
from remediation.gateways.management_api import ManagementActivityClient
from remediation.gateways.queue import StorageQueue
from remediation.gateways.store import TableJobStore
from remediation.models import utcnow
from remediation.services import Services, wire
from remediation.settings import Settings


def build(settings: Settings, *, clock: Clock = utcnow) -> Services:
    ports = Ports(directory=GraphDirectory(settings), exchange=ExchangeAdminClient(settings),
                  store=TableJobStore.from_settings(settings), queue=StorageQueue.from_settings(settings))
    return wire(Context.build(settings, ports, clock), ManagementActivityClient(settings))


async def close(services: Services) -> None:
    """Close every client the services hold (at worker shutdown, and in tests)."""
    ports = services.context.ports
    for client in (ports.directory, ports.exchange, services.worker.management):
        if client is not None and hasattr(client, "aclose"):
            await client.aclose()
    for client in (ports.store, ports.queue):
        if hasattr(client, "close"):
            await client.close()
