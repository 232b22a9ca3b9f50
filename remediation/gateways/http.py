"""What every gateway shares: the retry policy and the HTTP client under it.

(The credential is chosen in credentials.py; failures are classified in http_errors.py.)

One retry mechanism serves Graph, Exchange and the Management API: `RetryTransport`, an
httpx transport under each client (for Graph, under the SDK's middleware, in place of
kiota's RetryHandler, which cannot parse a decimal `Retry-After` such as Graph's `2.128`).

Retried: 429, 503, 504 and connection errors, waiting what `Retry-After` says (integer or
decimal seconds, or an HTTP-date) or else an exponential back-off with jitter, while the
total wait stays within `RETRY_MAX_WAIT_SECONDS`; past it the last response or error
surfaces, and the gateway turns it into a TransientError so the queue retries later.

A POST is retried only where repeating it is harmless. A non-idempotent request (Graph's
sendMail, Remove-BlockedSenderAddress) is retried only when the service cannot have acted:
on a 429 (throttled requests are rejected unprocessed) or when no connection was made. A
503/504 or a dropped connection may come after the service acted, so those surface: a
second summary mail or a second unblock (which counts against Microsoft's cap) is worse
than a queue retry, where the playbook's records decide whether the step already happened.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Awaitable, Callable
from urllib.parse import quote

import httpx

from remediation.errors import ConfigurationError, ServiceRejectedError
from remediation.gateways.credentials import CredentialHolder, scope_for
from remediation.gateways.http_errors import error_for_exception
from remediation.models import utcnow
from remediation.settings import Settings

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 503, 504})
# The extension a gateway sets on an httpx.Request to say whether repeating it is harmless.
IDEMPOTENT = "remediation.idempotent"
TIMEOUT = httpx.Timeout(30.0, connect=10.0)

Sleep = Callable[[float], Awaitable[None]]


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds: integer, decimal (`2.128`) or an HTTP-date; None if absent or unreadable."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, (moment - (now or utcnow())).total_seconds())


@dataclass
class RetryPolicy:
    max_wait: float = 30.0          # total seconds spent waiting between attempts of one request
    max_attempts: int = 10          # a guard against `Retry-After: 0` loops
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    sleep: Sleep = asyncio.sleep
    clock: Callable[[], datetime] = utcnow
    rng: random.Random = field(default_factory=random.Random)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides) -> "RetryPolicy":
        return cls(max_wait=settings.retry_max_wait_seconds, **overrides)

    def backoff(self, attempt: int) -> float:
        """Exponential back-off with jitter (half to all of the step), for answers without Retry-After."""
        step = min(self.backoff_cap, self.backoff_base * 2 ** attempt)
        return step * (0.5 + self.rng.random() / 2)


def default_idempotent(request: httpx.Request) -> bool:
    """The gateway's word (the IDEMPOTENT extension) if it gave one, else: everything but POST.

    PATCH counts as idempotent here: every PATCH this app sends sets absolute values.
    """
    return bool(request.extensions.get(IDEMPOTENT, request.method != "POST"))


def _never_reached_server(exc: httpx.TransportError) -> bool:
    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))


class RetryTransport(httpx.AsyncBaseTransport):
    """Wraps a transport; retries as the module docstring says, and logs each retry (never a body)."""

    def __init__(self, policy: RetryPolicy, inner: httpx.AsyncBaseTransport | None = None,
                 idempotent: Callable[[httpx.Request], bool] = default_idempotent) -> None:
        self.inner = inner or httpx.AsyncHTTPTransport()   # `inner` is the test seam (httpx.MockTransport)
        self.policy = policy
        self.idempotent = idempotent

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        repeatable = self.idempotent(request)
        waited = 0.0
        attempt = 0
        while True:
            try:
                response = await self.inner.handle_async_request(request)
            except httpx.TransportError as exc:
                if not (repeatable or _never_reached_server(exc)):
                    raise
                delay = self.policy.backoff(attempt)
                if not self._may_wait(attempt, waited, delay):
                    raise
                reason = type(exc).__name__
            else:
                if response.status_code not in RETRY_STATUSES or not (repeatable or response.status_code == 429):
                    return response
                delay = retry_after_seconds(response.headers.get("Retry-After"), self.policy.clock())
                if delay is None:
                    delay = self.policy.backoff(attempt)
                if not self._may_wait(attempt, waited, delay):
                    return response
                await response.aclose()
                reason = str(response.status_code)
            log.warning("retrying %s %s%s after %s in %.3fs", request.method, request.url.host,
                        request.url.path, reason, delay)
            await self.policy.sleep(delay)
            waited += delay
            attempt += 1

    def _may_wait(self, attempt: int, waited: float, delay: float) -> bool:
        return attempt + 1 < self.policy.max_attempts and waited + delay <= self.policy.max_wait

    async def aclose(self) -> None:
        await self.inner.aclose()


def http_client(transport: httpx.AsyncBaseTransport, *, auth: httpx.Auth | None = None,
                base_url: str = "") -> httpx.AsyncClient:
    """An httpx client on `transport` (a RetryTransport). Redirects are never followed: no
    service here redirects on purpose, and a redirect must never carry our token elsewhere."""
    return httpx.AsyncClient(transport=transport, auth=auth, base_url=base_url, timeout=TIMEOUT,
                             follow_redirects=False)


async def send(client: httpx.AsyncClient, request: httpx.Request, *, service: str) -> httpx.Response:
    """Sends through `client`; network and credential failures leave as our errors."""
    try:
        return await client.send(request)
    except Exception as exc:
        error = error_for_exception(exc, service=service)
        if error is None:
            raise
        raise error from exc


def origin(url: str | httpx.URL) -> tuple[str, str, int | None]:
    """Scheme, host and port (the default one filled in) of a URL."""
    parsed = httpx.URL(url)
    port = parsed.port or {"https": 443, "http": 80}.get(parsed.scheme)
    return parsed.scheme, parsed.host.lower(), port


def next_link(page: dict, base_url: str, *, service: str) -> str:
    """A page's `@odata.nextLink` ("" on the last page); one to another host is refused, as our token would go along."""
    link = page.get("@odata.nextLink") or ""
    if link and origin(link) != origin(base_url):
        raise ServiceRejectedError(f"refused a nextLink to another host: {origin(link)[1]}", service=service)
    return link


class ServiceClient:
    """A retrying httpx client carrying the app's token for one service root (Exchange, the
    Management API). Built once per process; `aclose()` at shutdown."""

    def __init__(self, base_url: str, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None,
                 credential=None, retry: RetryPolicy | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.tenant = settings.tenant_id
        self._credentials = CredentialHolder(self.base_url, credential)
        self._http = http_client(RetryTransport(retry or RetryPolicy.from_settings(settings), transport),
                                 auth=self._credentials.auth(scope_for(self.base_url)))

    def tenant_url(self, path: str) -> str:
        """`{base}{path}` with `{tenant}` filled in; ConfigurationError while TENANT_ID is unset."""
        if not self.tenant:
            raise ConfigurationError("TENANT_ID is not set")
        return self.base_url + path.format(tenant=quote(self.tenant, safe=""))

    async def aclose(self) -> None:
        await self._http.aclose()
        await self._credentials.aclose()
