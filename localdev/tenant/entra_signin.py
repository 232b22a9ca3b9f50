"""Entra ID sign-in of a single-page app, its second half: the token endpoint (v2.0).

    POST    /{tenant}/oauth2/v2.0/token     grant_type=authorization_code or refresh_token
                                            (client_credentials: entra.py)
    OPTIONS /{tenant}/oauth2/v2.0/token     the browser's preflight

As Microsoft's identity platform documents it: a code (entra_authorize.py) is redeemed once, by
the same client and redirect URI, with the `code_verifier` whose S256 hash is the
`code_challenge`; a cross-origin redemption is answered with CORS headers for the app's origins
only. The access token carries the chosen app role for the API named by the scope, the ID token
the user and the nonce. With `offline_access` a refresh token comes too: a single-page app's
lives 24 hours and cannot be extended.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import secrets
import time
from typing import Mapping

from aiohttp import web

from localdev.tenant import context, entra
from localdev.tenant import entra_authorize
from localdev.tenant.entra_authorize import CODES, Grant, client_info, origin, spa_redirects

SPA_REFRESH_LIFETIME = 24 * 3600
OIDC_SCOPES = {"openid", "profile", "email", "offline_access"}
REFRESH_TOKENS = web.AppKey("entra_refresh_tokens", dict)


def _cors(request: web.Request, client_id: str) -> dict[str, str]:
    """Entra answers a browser's cross-origin redemption only for the SPA's own origins."""
    caller = request.headers.get("Origin", "")
    allowed = {origin(uri) for uri in spa_redirects(request, client_id) or []}
    return {"Access-Control-Allow-Origin": caller, "Vary": "Origin"} if caller.lower() in allowed else {}


def _grant_problem(form: Mapping[str, str], grant: Grant | None) -> tuple[int, str] | None:
    """The AADSTS code and description of an invalid_grant."""
    if grant is None:
        return 54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code."
    if grant.expires < time.time():
        return 70008, "The provided authorization code or refresh token has expired due to inactivity."
    if form.get("client_id") != grant.client_id:
        return 70000, "The provided value for the 'code' parameter is not valid: it was issued to another client."
    if form.get("redirect_uri") != grant.redirect_uri:
        return 50011, "The redirect URI specified in the request does not match the one of the authorization request."
    digest = hashlib.sha256(form.get("code_verifier", "").encode("ascii", "replace")).digest()
    if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant.challenge:
        return 50148, "The code_verifier does not match the code_challenge supplied in the authorization request."
    return None


async def _redeem(request: web.Request, form: Mapping[str, str]) -> web.Response:
    cors = _cors(request, form.get("client_id", ""))
    grant = request.app[CODES].pop(form.get("code", ""), None)   # one try: a failed redemption spends it too
    problem = _grant_problem(form, grant)
    if problem:
        return entra.aad_error(400, "invalid_grant", *problem, cors)
    return web.json_response(_tokens(request, grant), headers=cors)


async def _refresh(request: web.Request, form: Mapping[str, str]) -> web.Response:
    cors = _cors(request, form.get("client_id", ""))
    grant = request.app[REFRESH_TOKENS].get(form.get("refresh_token", ""))
    if grant is None or grant.client_id != form.get("client_id"):
        return entra.aad_error(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.",
                               cors)
    if grant.expires < time.time():
        return entra.aad_error(400, "invalid_grant", 700084, "The refresh token was issued to a single page app "
                               "(SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be "
                               "extended.", cors)
    return web.json_response(_tokens(request, dataclasses.replace(grant, nonce="")), headers=cors)


def _tokens(request: web.Request, grant: Grant) -> dict:
    resource_scopes = [scope for scope in grant.scope.split() if scope.lower() not in OIDC_SCOPES]
    audience = resource_scopes[0].rpartition("/")[0] if resource_scopes else "00000003-0000-0000-c000-000000000000"
    user, tenant = grant.user, context.state(request)
    person = {"oid": user["id"], "sub": user["id"], "name": user.get("displayName", ""),
              "preferred_username": user["userPrincipalName"]}
    access = entra.mint(request, {**person, "aud": audience, "azp": grant.client_id, "appid": grant.client_id,
                                  "idtyp": "user", "upn": user["userPrincipalName"], "roles": [grant.role],
                                  "scp": "user_impersonation"})
    now = int(time.time())
    id_claims = {**person, "aud": grant.client_id, "iss": entra.issuer(request), "iat": now, "nbf": now,
                 "exp": now + entra.TOKEN_LIFETIME, "tid": tenant.tenant_id, "ver": "2.0"}
    if grant.nonce:
        id_claims["nonce"] = grant.nonce
    tokens = {"token_type": "Bearer", "scope": " ".join(resource_scopes), "expires_in": entra.TOKEN_LIFETIME,
              "ext_expires_in": entra.TOKEN_LIFETIME, "access_token": access,
              "id_token": request.app[entra.KEYS].trusted.sign(id_claims), "client_info": client_info(request, user)}
    if "offline_access" in grant.scope.split():
        refresh = tokens["refresh_token"] = secrets.token_urlsafe(48)
        # A new refresh token keeps the first one's end: a SPA's session is not extended by use.
        ends = grant.expires if grant.refresh else time.time() + SPA_REFRESH_LIFETIME
        request.app[REFRESH_TOKENS][refresh] = dataclasses.replace(grant, expires=ends, refresh=True)
    return tokens


async def token(request: web.Request) -> web.Response:
    problem = entra.known_tenant(request)
    if problem:
        return problem
    form = {name: str(value) for name, value in (await request.post()).items()}
    grant_type = form.get("grant_type", "")
    if grant_type == "authorization_code":
        return await _redeem(request, form)
    if grant_type == "refresh_token":
        return await _refresh(request, form)
    if grant_type == "client_credentials":
        return await entra.client_credentials(request, form)
    return entra.aad_error(400, "unsupported_grant_type", 70003,
                           f"The app requested an unsupported grant type '{grant_type}'.")


async def token_preflight(request: web.Request) -> web.Response:
    """A preflight names no client: Entra lets the browser ask; the POST's answer carries the check."""
    return web.Response(status=204, headers={
        "Access-Control-Allow-Origin": request.headers.get("Origin", "*"), "Vary": "Origin",
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": request.headers.get("Access-Control-Request-Headers", "content-type"),
        "Access-Control-Max-Age": "86400"})

def add_routes(app: web.Application) -> None:
    entra_authorize.add_routes(app)
    app[REFRESH_TOKENS] = {}
    app.router.add_post("/{tenant}/oauth2/v2.0/token", token)
    app.router.add_options("/{tenant}/oauth2/v2.0/token", token_preflight)
