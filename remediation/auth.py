"""Who is calling: Entra ID bearer tokens for the admin API and alert intake, and the
Management Activity API's `Webhook-AuthID`.

PyJWT does the cryptography. Signing keys come from the JWKS named by the tenant's OpenID
metadata (`{LOGIN_BASE_URL}/{TENANT_ID}/v2.0/.well-known/openid-configuration`), cached for
KEY_LIFETIME_SECONDS (Entra publishes a new key well before it signs with it, and drops old ones)
and refetched on an unknown `kid` when the last fetch is older than MIN_REFRESH_SECONDS. One
fetch at a time: concurrent requests wait for it and use what it found. Tokens with made-up kids
thus cost at most one fetch a minute, whatever their number, and never delay a real rollover by
more than that minute. While no keys are held (first use, expired, failed fetches), every
request may try.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable
from urllib.parse import urlsplit

import httpx

from remediation.errors import ConfigurationError, ForbiddenError, TransientError, UnauthorizedError
from remediation.records import Identity
from remediation.settings import Settings

if TYPE_CHECKING:
    import jwt

ADMIN, READER, ALERTS_SUBMIT = "Remediation.Admin", "Remediation.Reader", "Alerts.Submit"
# The roles that grant each role: an admin may do all that a reader may.
_GRANTED_BY = {ADMIN: {ADMIN}, READER: {READER, ADMIN}, ALERTS_SUBMIT: {ALERTS_SUBMIT}}
ALGORITHMS = ["RS256"]
MIN_REFRESH_SECONDS = 60.0
KEY_LIFETIME_SECONDS = 24 * 3600.0


@dataclass(frozen=True)
class Caller:
    object_id: str
    name: str            # upn / preferred_username of a user, app name of an application
    app_id: str
    roles: frozenset[str]

    @property
    def who(self) -> Identity:
        """The caller as the domain knows them: a name and an object id."""
        return Identity(self.name or (f"app {self.app_id}" if self.app_id else ""), self.object_id)

    @property
    def identity(self) -> str:
        """What a job records as `requestedBy`."""
        return str(self.who)

    def has(self, role: str) -> bool:
        return bool(self.roles & _GRANTED_BY[role])

    @classmethod
    def from_claims(cls, claims: dict) -> "Caller":
        name = next((claims[key] for key in ("upn", "preferred_username", "unique_name", "app_displayname")
                     if isinstance(claims.get(key), str)), "")
        roles = claims.get("roles") if isinstance(claims.get("roles"), list) else []
        return cls(object_id=str(claims.get("oid", "")), name=name,
                   app_id=str(claims.get("appid") or claims.get("azp") or ""),
                   roles=frozenset(role for role in roles if isinstance(role, str)))


def webhook_auth_id_matches(presented: str | None, expected: str) -> bool:
    """The Management API echoes the subscription's authId and signs nothing: compared in constant
    time, and nothing matches when no authId is configured."""
    return bool(expected) and hmac.compare_digest((presented or "").encode(), expected.encode())


def verify_webhook_auth_id(presented: str | None, expected: str) -> None:
    if not webhook_auth_id_matches(presented, expected):
        raise UnauthorizedError("Webhook-AuthID is missing or wrong")


def bearer_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise UnauthorizedError("a bearer token is required")
    return token.strip()


class TokenValidator:
    def __init__(self, settings: Settings, *, http: httpx.AsyncClient | None = None,
                 min_refresh: float = MIN_REFRESH_SECONDS, key_lifetime: float = KEY_LIFETIME_SECONDS,
                 leeway: float = 30.0, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._settings = settings
        self._http = http
        self._min_refresh = min_refresh
        self._key_lifetime = key_lifetime
        self._leeway = leeway
        self._monotonic = monotonic
        self._issuers: tuple[str, ...] = ()
        self._jwks_uri = ""
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None      # when the keys held were fetched
        self._attempted_at: float | None = None    # when the last fetch started, whatever came of it
        self._fetch_lock = asyncio.Lock()

    async def authenticate(self, authorization: str | None, role: str) -> Caller:
        """The caller of a valid token holding `role`: UnauthorizedError or ForbiddenError otherwise."""
        import jwt   # PyJWT loads cryptography (10 MiB, 20 ms): with the first token, not at every cold start

        token = bearer_token(authorization)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise UnauthorizedError(f"the token is malformed: {exc}") from exc
        if header.get("alg") not in ALGORITHMS or not isinstance(header.get("kid"), str):
            raise UnauthorizedError("the token must be RS256-signed with a kid")
        key = await self._signing_key(header["kid"])
        try:
            claims = jwt.decode(token, key.key, algorithms=ALGORITHMS, audience=self._settings.api_audience,
                                issuer=self._issuers, leeway=self._leeway,
                                options={"require": ["exp", "iss", "aud"]})
        except jwt.PyJWTError as exc:
            raise UnauthorizedError(f"the token is not valid: {exc}") from exc
        caller = Caller.from_claims(claims)
        if not caller.has(role):
            raise ForbiddenError(f"the caller lacks the app role {role}")
        return caller

    async def _signing_key(self, kid: str) -> jwt.PyJWK:
        if kid not in self._current_keys():
            async with self._fetch_lock:
                # Whoever held the lock may have fetched the key meanwhile.
                if kid not in self._current_keys() and self._refresh_due():
                    self._attempted_at = self._monotonic()
                    await self._refresh()
        key = self._current_keys().get(kid)
        if key is None:
            raise UnauthorizedError("the token is signed by an unknown key")
        return key

    def _current_keys(self) -> dict[str, jwt.PyJWK]:
        """The keys held, none once they are KEY_LIFETIME_SECONDS old."""
        if self._fetched_at is None or self._monotonic() - self._fetched_at >= self._key_lifetime:
            return {}
        return self._keys

    def _refresh_due(self) -> bool:
        if not self._current_keys() or self._attempted_at is None:
            return True
        return self._monotonic() - self._attempted_at >= self._min_refresh

    async def _refresh(self) -> None:
        if not self._settings.tenant_id or not self._settings.api_audience:
            raise ConfigurationError("TENANT_ID and API_AUDIENCE must be set to accept bearer tokens")
        base = self._settings.login_base_url.rstrip("/")
        metadata = await self._get_json(f"{base}/{self._settings.tenant_id}/v2.0/.well-known/openid-configuration")
        issuer, self._jwks_uri = str(metadata.get("issuer", "")), str(metadata.get("jwks_uri", ""))
        tenant = urlsplit(issuer).path.strip("/").split("/")[0]
        if not tenant or not self._jwks_uri:
            raise ConfigurationError("the OpenID metadata names no issuer or jwks_uri")
        # v1 tokens (accessTokenAcceptedVersion 1) carry the sts.windows.net issuer.
        self._issuers = (issuer, f"https://sts.windows.net/{tenant}/")
        import jwt

        try:
            key_set = jwt.PyJWKSet.from_dict(await self._get_json(self._jwks_uri))
        except jwt.PyJWTError as exc:
            raise ConfigurationError(f"the JWKS at {self._jwks_uri} has no usable key: {exc}") from exc
        self._keys = {key.key_id: key for key in key_set if key.key_id}
        self._fetched_at = self._monotonic()

    async def _get_json(self, url: str) -> dict:
        client = self._http or httpx.AsyncClient(timeout=10.0)
        try:
            response = await client.get(url)
        except httpx.HTTPError as exc:
            raise TransientError(f"cannot reach {url}: {exc}", service="login") from exc
        finally:
            if client is not self._http:
                await client.aclose()
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientError(f"{url} answered {response.status_code}", service="login")
        if response.status_code != 200:
            raise ConfigurationError(f"{url} answered {response.status_code}: {response.text[:200]}")
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ConfigurationError(f"{url} did not answer a JSON object")
        return body
