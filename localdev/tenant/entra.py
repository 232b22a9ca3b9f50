"""Entra ID for local sign-in: OpenID metadata, the JWKS and the token endpoint (client credentials
here; the authorization code with PKCE of a single-page app in entra_signin.py).

Tokens are RS256, signed with a key generated when the server starts; `mint()` also serves the
control API's `POST /_sandbox/tokens`, which may override any claim or sign with a key that is
not published (`signWith: "untrusted"`), so tests can present every kind of bad token.
"""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from dataclasses import dataclass
from typing import Mapping

import jwt
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from localdev.tenant import context
from localdev.tenant.state import TenantState

TOKEN_LIFETIME = 3599


def _b64url(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@dataclass
class SigningKey:
    private: rsa.RSAPrivateKey
    kid: str

    @classmethod
    def generate(cls, kid: str | None = None) -> "SigningKey":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        der = private.public_key().public_bytes(serialization.Encoding.DER,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
        return cls(private, kid or base64.urlsafe_b64encode(hashlib.sha1(der).digest()).rstrip(b"=").decode("ascii"))

    def jwk(self, issuer: str) -> dict:
        numbers = self.private.public_key().public_numbers()
        return {"kty": "RSA", "use": "sig", "kid": self.kid, "x5t": self.kid, "n": _b64url(numbers.n),
                "e": _b64url(numbers.e), "issuer": issuer}

    def sign(self, claims: dict) -> str:
        return jwt.encode(claims, self.private, algorithm="RS256", headers={"kid": self.kid, "typ": "JWT"})


@dataclass
class Keys:
    trusted: SigningKey
    # never published, yet it names the trusted kid: a forgery that only the signature check catches
    untrusted: SigningKey

    @classmethod
    def generate(cls) -> "Keys":
        trusted = SigningKey.generate()
        return cls(trusted, SigningKey.generate(kid=trusted.kid))


KEYS = web.AppKey("entra_keys", Keys)
# Set when the sandbox also listens over TLS: Entra has one issuer, whichever address answered, and
# MSAL (which refuses an http authority) checks that the metadata's issuer is the authority's host.
ISSUER_BASE = web.AppKey("entra_issuer_base", str)
# Entra's discovery documents and keys are read by browsers from any origin.
ANY_ORIGIN = {"Access-Control-Allow-Origin": "*"}


def issuer(request: web.Request) -> str:
    base = request.app.get(ISSUER_BASE) or context.base_url(request)
    return f"{base}/{context.state(request).tenant_id}/v2.0"


def aad_error(status: int, error: str, code: int, description: str, headers: dict | None = None) -> web.Response:
    """Entra's OAuth error body."""
    body = {"error": error, "error_description": f"AADSTS{code}: {description}", "error_codes": [code],
            "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()), "trace_id": str(uuid.uuid4()),
            "correlation_id": str(uuid.uuid4())}
    return web.json_response(body, status=status, headers=headers)


def known_tenant(request: web.Request) -> web.Response | None:
    name = request.match_info["tenant"]
    if context.state(request).names_tenant(name):
        return None
    return aad_error(400, "invalid_tenant", 90002, f"Tenant '{name}' not found. Check to make sure you have the "
                     "correct tenant ID and are signing into the correct cloud.")


async def openid_configuration(request: web.Request) -> web.Response:
    problem = known_tenant(request)
    if problem:
        return problem
    tenant, base = context.state(request), context.base_url(request)
    root = f"{base}/{tenant.tenant_id}"
    return web.json_response({
        "token_endpoint": f"{root}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": f"{root}/discovery/v2.0/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer(request),
        "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
        "tenant_region_scope": "EU",
        "cloud_instance_name": "microsoftonline.com",
    }, headers=ANY_ORIGIN)


async def jwks(request: web.Request) -> web.Response:
    problem = known_tenant(request)
    if problem:
        return problem
    key = request.app[KEYS].trusted
    return web.json_response({"keys": [key.jwk(issuer(request))]}, headers=ANY_ORIGIN)


def mint(request: web.Request, overrides: dict, *, untrusted: bool = False) -> str:
    """An app-only v2 access token for this tenant, any claim overridden."""
    tenant, now = context.state(request), int(time.time())
    client_id = overrides.get("azp") or overrides.get("appid") or str(uuid.uuid4())
    oid = overrides.get("oid") or str(uuid.uuid5(uuid.NAMESPACE_URL, f"sp:{client_id}"))
    claims = {"aud": "api://restricted-sender-responder", "iss": issuer(request),
              "iat": now, "nbf": now, "exp": now + TOKEN_LIFETIME, "azp": client_id, "appid": client_id,
              "azpacr": "1", "idtyp": "app", "oid": oid, "sub": oid, "tid": tenant.tenant_id, "roles": [],
              "uti": uuid.uuid4().hex, "ver": "2.0", **overrides}
    keys = request.app[KEYS]
    return (keys.untrusted if untrusted else keys.trusted).sign(claims)


async def token_by_get(request: web.Request) -> web.Response:
    return aad_error(400, "invalid_request", 900561, "The endpoint only accepts POST, OPTIONS requests. "
                     "Received a GET request.")


async def client_credentials(request: web.Request, form: Mapping[str, str]) -> web.Response:
    tenant = context.state(request)
    client_id, secret = str(form.get("client_id", "")), str(form.get("client_secret", ""))
    scope = str(form.get("scope", ""))
    app = tenant.apps.get(client_id)
    if app is None:
        return aad_error(400, "unauthorized_client", 700016, f"Application with identifier '{client_id}' was not "
                         f"found in the directory '{tenant.tenant_id}'.")
    if secret != app.get("secret"):
        return aad_error(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being "
                         f"sent in the request is the client secret value, not the client secret ID, for a secret "
                         f"added to app '{client_id}'.")
    if not scope.endswith("/.default"):
        return aad_error(400, "invalid_scope", 1002012, f"The provided value for scope {scope} is not valid. Client "
                         "credential flows must have a scope value with /.default suffixed to the resource identifier "
                         "(application ID URI).")
    overrides = {"aud": scope[: -len("/.default")], "azp": client_id, "appid": client_id,
                 "roles": list(app.get("roles", []))}
    if app.get("oid"):
        overrides["oid"] = app["oid"]
    return web.json_response({"token_type": "Bearer", "expires_in": TOKEN_LIFETIME, "ext_expires_in": TOKEN_LIFETIME,
                             "access_token": mint(request, overrides)})


def add_routes(app: web.Application, tenant: TenantState) -> None:
    app[KEYS] = Keys.generate()
    app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", openid_configuration)
    app.router.add_get("/{tenant}/discovery/v2.0/keys", jwks)
    app.router.add_get("/{tenant}/oauth2/v2.0/token", token_by_get)

