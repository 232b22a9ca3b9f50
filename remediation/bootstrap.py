"""The composition root: builds the real gateways from Settings, once per worker process."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from remediation.gateways.exchange import ExchangeAdminClient
from remediation.gateways.tenant_grants import TenantGraph
from remediation.gateways.management_api import ManagementActivityClient
from remediation.gateways.queue import StorageQueue
from remediation.gateways.store import TableJobStore
from remediation.models import utcnow
from remediation.service import Remediations
from remediation.settings import Settings


def build(settings: Settings, *, clock: Callable[[], datetime] = utcnow) -> Remediations:
    return Remediations(
        settings,
        directory=TenantGraph(settings),   # the Directory port, plus the grant reads of the self-test
        exchange=ExchangeAdminClient(settings),
        store=TableJobStore.from_settings(settings),
        queue=StorageQueue.from_settings(settings),
        management=ManagementActivityClient(settings),
        clock=clock,
    )


async def close(service: Remediations) -> None:
    """Close every client the service holds (at worker shutdown, and in tests)."""
    for client in (service.ports.directory, service.ports.exchange, service.management):
        if client is not None and hasattr(client, "aclose"):
            await client.aclose()
    for client in (service.ports.store, service.ports.queue):
        if hasattr(client, "close"):
            await client.close()
