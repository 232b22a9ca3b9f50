"""The singleton listener lock of a timer trigger, as the host takes it: a blob lease on
`azure-webjobs-hosts/locks/<host id>/Host.Functions.<name>.Listener` in AzureWebJobsStorage.
The host that holds the lease runs the timer; the others try again every
`singleton.listenerLockRecoveryPollingInterval`. The lease lasts `listenerLockPeriod` and is
renewed at half of it; a host that stops releases it, one that dies loses it when it ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
import zlib
from pathlib import Path
from typing import Awaitable, Callable, Mapping

from azure.core.exceptions import AzureError, HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.storage.blob.aio import BlobLeaseClient, ContainerClient

from localdev.host.config import SingletonOptions

CONTAINER = "azure-webjobs-hosts"
HOST_ID_SETTING = "AzureFunctionsWebHost__hostid"
log = logging.getLogger("Host.Singleton")


def host_id(settings: Mapping[str, str], folder: Path | None = None) -> str:
    """The ID that scopes the locks: the setting, else the site's name, else this machine and app folder."""
    chosen = settings.get(HOST_ID_SETTING) or settings.get("WEBSITE_SITE_NAME")
    if not chosen:
        chosen = f"{socket.gethostname()}-{zlib.crc32(str(folder or Path.cwd()).encode()):x}"
    # Host IDs are lower-case letters, digits and dashes, at most 32 characters.
    return re.sub(r"[^a-z0-9-]", "", chosen.lower())[:32]


class ListenerLock:
    def __init__(self, container: ContainerClient, host: str, function_name: str, options: SingletonOptions) -> None:
        self.blob_name = f"locks/{host}/Host.Functions.{function_name}.Listener"
        self._container = container
        self._options = options

    async def hold_while(self, work: Callable[[], Awaitable[None]]) -> None:
        """Run `work` while this host holds the lock; stop it when the lock is lost, then try again."""
        while True:
            lease = await self._try_acquire()
            if lease is not None:
                running = asyncio.create_task(work())
                try:
                    await self._keep(lease, running)
                finally:
                    running.cancel()
                    for outcome in await asyncio.gather(running, return_exceptions=True):
                        if isinstance(outcome, Exception):
                            log.error("The schedule under %s stopped", self.blob_name, exc_info=outcome)
                    with contextlib.suppress(AzureError):
                        await lease.release()
            await asyncio.sleep(self._options.listener_lock_recovery_polling_interval)

    async def _try_acquire(self) -> BlobLeaseClient | None:
        """The lease, or None when another host holds it (or storage cannot be reached)."""
        lease = BlobLeaseClient(self._container.get_blob_client(self.blob_name))
        try:
            try:
                await lease.acquire(lease_duration=int(self._options.listener_lock_period))
            except ResourceNotFoundError:  # the first host of this app: the lock's blob is made once
                await self._create_blob()
                await lease.acquire(lease_duration=int(self._options.listener_lock_period))
            return lease
        except HttpResponseError as error:
            if error.status_code != 409:  # 409: another host holds it
                log.warning("Could not take the lock %s: %s", self.blob_name, error)
        except AzureError as error:
            log.warning("Could not take the lock %s: %s", self.blob_name, error)
        return None

    async def _create_blob(self) -> None:
        with contextlib.suppress(ResourceExistsError):
            await self._container.create_container()
        with contextlib.suppress(ResourceExistsError):
            await self._container.get_blob_client(self.blob_name).upload_blob(b"", overwrite=False)

    async def _keep(self, lease: BlobLeaseClient, running: asyncio.Task) -> None:
        """Renew the lease at half its period until `running` ends or a renewal fails."""
        while True:
            done, _ = await asyncio.wait([running], timeout=self._options.listener_lock_period / 2)
            if done:
                return
            try:
                await lease.renew()
            except AzureError as error:
                log.warning("Lost the lock %s: %s", self.blob_name, error)
                return
