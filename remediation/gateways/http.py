"""What every gateway shares: the retry policy, error classification and the credential.

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
import inspect
import logging
import os
import random
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Awaitable, Callable, Mapping

import httpx
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import CredentialUnavailableError

from remediation.errors import (
    ConfigurationError, NotFoundError, PermissionError_, RemediationError, ServiceRejectedError,
    ThrottledError, TransientError,
)
from remediation.settings import Settings, is_loopback

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 503, 504})
# The extension a gateway sets on an httpx.Request to say whether repeating it is harmless.
IDEMPOTENT = "remediation.idempotent"
TIMEOUT = httpx.Timeout(30.0, connect=10.0)

Sleep = Callable[[float], Awaitable[None]]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds: integer, decimal (`2.128`) or an HTTP-date; None if absent or unreadable."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
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


# -- credentials -----------------------------------------------------------------------------

def app_credential(env: Mapping[str, str] | None = None):
    """The app's azure-identity credential: the user-assigned managed identity named by
    AZURE_CLIENT_ID when set, else DefaultAzureCredential (system identity, az login, ...)."""
    from azure.identity.aio import DefaultAzureCredential, ManagedIdentityCredential

    client_id = (os.environ if env is None else env).get("AZURE_CLIENT_ID", "")
    return ManagedIdentityCredential(client_id=client_id) if client_id else DefaultAzureCredential()


def scope_for(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/.default"


class BearerTokenAuth(httpx.Auth):
    """Adds `Authorization: Bearer` from an azure-identity credential (sync or async get_token)."""

    def __init__(self, credential, scope: str) -> None:
        self.credential = credential
        self.scope = scope

    async def async_auth_flow(self, request: httpx.Request):
        token = self.credential.get_token(self.scope)
        if inspect.isawaitable(token):
            token = await token
        request.headers["Authorization"] = f"Bearer {token.token}"
        yield request


class CredentialHolder:
    """The credential a client uses: none for a loopback root (the sandbox), the given one, or
    one built by `app_credential()`, which the holder then owns and closes."""

    def __init__(self, base_url: str, credential=None) -> None:
        self.loopback = is_loopback(base_url)
        self.owned = credential is None and not self.loopback
        self.credential = None if self.loopback else (credential or app_credential())

    def auth(self, scope: str) -> httpx.Auth | None:
        return None if self.credential is None else BearerTokenAuth(self.credential, scope)

    async def aclose(self) -> None:
        if self.owned:
            await self.credential.close()


# -- classification --------------------------------------------------------------------------

def error_for_status(status: int, message: str, *, service: str, code: str = "", permission: str = "",
                     retry_after: float | None = None) -> RemediationError:
    """The one mapping of an HTTP failure to our error tree; gateways pre-empt it where the
    service says more than its status (Exchange's not-found arrives as a 500)."""
    kw = {"service": service, "code": code}
    if status == 429:
        return ThrottledError(message, retry_after=retry_after, **kw)
    if status in (401, 403):
        return PermissionError_(message, permission=permission, **kw)
    if status == 404:
        return NotFoundError(message, **kw)
    if status == 408 or status >= 500:
        return TransientError(message, **kw)
    return ServiceRejectedError(message, **kw)


def error_for_exception(exc: Exception, *, service: str) -> RemediationError | None:
    """Errors raised below the HTTP answer: the network, timeouts, the credential. None if foreign."""
    if isinstance(exc, httpx.TimeoutException):
        return TransientError(f"timed out: {type(exc).__name__}", service=service)
    if isinstance(exc, httpx.TransportError):
        return TransientError(f"connection failed: {type(exc).__name__}: {exc}", service=service)
    if isinstance(exc, CredentialUnavailableError):
        return ConfigurationError(f"no credential for the app: {exc.message}", service=service)
    if isinstance(exc, ClientAuthenticationError):
        return PermissionError_(f"could not get a token: {exc.message}", service=service)
    return None
