"""Who is calling: Entra ID bearer tokens for the admin API and alert intake, and the
Management Activity API's `Webhook-AuthID`.

PyJWT does the cryptography. Signing keys come from the JWKS named by the tenant's OpenID
metadata (`{LOGIN_BASE_URL}/{TENANT_ID}/v2.0/.well-known/openid-configuration`), cached and
refetched on an unknown `kid`: Entra rolls keys, and a token signed by the new key must not be
refused until the cache ages. One fetch at a time (concurrent requests wait for it); each
unknown kid triggers at most one fetch per `refresh_interval`, and all of them together at
most MAX_KEY_FETCHES, so tokens with made-up kids cannot make us hammer the login endpoint.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

import httpx
import jwt

from remediation.errors import ConfigurationError, ForbiddenError, TransientError, UnauthorizedError
from remediation.records import Identity
from remediation.settings import Settings

ADMIN, READER, ALERTS_SUBMIT = "Remediation.Admin", "Remediation.Reader", "Alerts.Submit"
# The roles that grant each role: an admin may do all that a reader may.
_GRANTED_BY = {ADMIN: {ADMIN}, READER: {READER, ADMIN}, ALERTS_SUBMIT: {ALERTS_SUBMIT}}
ALGORITHMS = ["RS256"]
MAX_KEY_FETCHES = 5   # per refresh interval, whatever the kids


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
                 refresh_interval: float = 300.0, leeway: float = 30.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._settings = settings
        self._http = http
        self._refresh_interval = refresh_interval
        self._leeway = leeway
        self._monotonic = monotonic
        self._issuers: tuple[str, ...] = ()
        self._jwks_uri = ""
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._fetch_lock = asyncio.Lock()
        self._fetches: list[float] = []           # when each recent fetch started
        self._kids_fetched: dict[str, float] = {}  # an unknown kid -> when it last caused a fetch

    async def authenticate(self, authorization: str | None, role: str) -> Caller:
        """The caller of a valid token holding `role`: UnauthorizedError or ForbiddenError otherwise."""
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
        if kid not in self._keys:
            async with self._fetch_lock:
                # Whoever held the lock may have fetched the key meanwhile.
                if kid not in self._keys and self._may_fetch_for(kid):
                    await self._refresh()
                    self._kids_fetched[kid] = self._monotonic()   # answered, even if the kid is not there
        if kid not in self._keys:
            raise UnauthorizedError("the token is signed by an unknown key")
        return self._keys[kid]

    def _may_fetch_for(self, kid: str) -> bool:
        """Records the fetch it allows. Until a fetch succeeds, every request may try."""
        now = self._monotonic()
        recent = now - self._refresh_interval
        self._fetches = [at for at in self._fetches if at > recent]
        self._kids_fetched = {other: at for other, at in self._kids_fetched.items() if at > recent}
        if self._fetched_at is not None and (kid in self._kids_fetched or len(self._fetches) >= MAX_KEY_FETCHES):
            return False
        self._fetches.append(now)
        return True

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
