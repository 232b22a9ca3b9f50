"""Fixtures for the app tests: Entra's OpenID metadata and JWKS served over httpx.MockTransport,
tokens signed like Entra's, and settings for the handlers (no Storage needed)."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from remediation.auth import TokenValidator
from remediation.settings import Settings

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
AUDIENCE = "api://restricted-sender-responder"
LOGIN = "https://login.microsoftonline.com"
V2_ISSUER = f"{LOGIN}/{TENANT}/v2.0"
WEBHOOK_AUTH_ID = "o365activityapinotification"
MAX_REQUEST_BYTES = 16384   # the documented Sentinel incident is 7 K
APP_SETTINGS = {"TENANT_ID": TENANT, "API_AUDIENCE": AUDIENCE, "LOGIN_BASE_URL": LOGIN,
                "O365_WEBHOOK_AUTH_ID": WEBHOOK_AUTH_ID, "REMEDIATION_MODE": "enforce",
                "NOTIFY_SENDER": "secops@contoso.com", "NOTIFY_RECIPIENTS": "soc@contoso.com",
                "MAX_REQUEST_BYTES": str(MAX_REQUEST_BYTES)}


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class EntraStub:
    """The tenant's OpenID metadata and JWKS (what login.microsoftonline.com serves), and tokens."""

    metadata_path = f"/{TENANT}/v2.0/.well-known/openid-configuration"
    jwks_path = f"/{TENANT}/discovery/v2.0/keys"

    def __init__(self, key: rsa.RSAPrivateKey) -> None:
        self.keys = {"key-1": key}
        self.requests: list[str] = []
        self.status = 200

    def _serve(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request.url.path)
        if self.status != 200:
            return httpx.Response(self.status, json={"error": "temporarily_unavailable"})
        if request.url.path == self.metadata_path:
            return httpx.Response(200, json={"issuer": V2_ISSUER, "jwks_uri": f"{LOGIN}{self.jwks_path}",
                                             "id_token_signing_alg_values_supported": ["RS256"]})
        if request.url.path == self.jwks_path:
            keys = [{**jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": kid, "use": "sig"}
                    for kid, key in self.keys.items()]
            return httpx.Response(200, json={"keys": keys})
        return httpx.Response(404, json={"error": "not_found"})

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self._serve))

    def claims(self, roles: tuple[str, ...] = (), **overrides) -> dict:
        now = int(time.time())
        claims = {"aud": AUDIENCE, "iss": V2_ISSUER, "iat": now, "nbf": now, "exp": now + 3600, "tid": TENANT,
                  "oid": "8b6a1a1c-0000-4000-8000-000000000001", "preferred_username": "admin@contoso.com",
                  "roles": list(roles), "ver": "2.0"}
        claims.update(overrides)
        return {key: value for key, value in claims.items() if value is not None}

    def token(self, roles: tuple[str, ...] = (), *, kid: str = "key-1", key: rsa.RSAPrivateKey | None = None,
              **overrides) -> str:
        """An RS256 token signed with this tenant's key `kid` (or with `key`, to forge one)."""
        signer = key or self.keys[kid]
        return jwt.encode(self.claims(roles, **overrides), signer, algorithm="RS256", headers={"kid": kid})

    def bearer(self, *roles: str, **overrides) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(roles, **overrides)}"}


@pytest.fixture(scope="session")
def signing_key() -> rsa.RSAPrivateKey:
    return new_key()


@pytest.fixture
def entra(signing_key) -> EntraStub:
    return EntraStub(signing_key)


@pytest.fixture
def app_settings() -> Settings:
    return Settings.from_env(APP_SETTINGS)


@pytest.fixture
async def token_validator(app_settings, entra):
    async with entra.client() as client:
        yield TokenValidator(app_settings, http=client)
