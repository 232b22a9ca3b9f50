"""Entra ID sign-in of a single-page app: the authorization code flow with PKCE (v2.0 endpoints).

    GET  /{tenant}/oauth2/v2.0/authorize    a page to pick a sandbox user and an app role
    POST /{tenant}/oauth2/v2.0/authorize    that page's answer: a one-time code, redirected back
    POST /{tenant}/oauth2/v2.0/token        grant_type=authorization_code (client_credentials: entra.py)

As Microsoft's identity platform documents it: the redirect URI must be one of the app's
`spa.redirectUris` (scenario `entra.apps.{clientId}.spa.redirectUris`), else an error page and
no redirect; the code lives 10 minutes and is redeemed once, by the same client and redirect
URI, with the `code_verifier` whose S256 hash is the `code_challenge`; a cross-origin
redemption is answered with CORS headers for the app's origins only. The access token carries
the chosen app role for the API named by the scope; the ID token the user and the nonce.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from html import escape
from typing import Mapping
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from localdev.tenant import context, entra

CODE_LIFETIME = 600
ROLES = ("Remediation.Admin", "Remediation.Reader")
OIDC_SCOPES = {"openid", "profile", "email", "offline_access"}
FORWARDED = ("client_id", "redirect_uri", "response_mode", "scope", "state", "nonce", "code_challenge",
             "code_challenge_method", "client_info")


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    scope: str
    nonce: str
    user: dict
    role: str
    expires: float


CODES = web.AppKey("entra_codes", dict)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _spa_redirects(request: web.Request, client_id: str) -> list[str] | None:
    app = context.state(request).apps.get(client_id)
    return None if app is None else list((app.get("spa") or {}).get("redirectUris") or [])


def _page(title: str, body: str, status: int = 200) -> web.Response:
    html = (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(title)}</title>"
            "<meta name=viewport content='width=device-width'><link rel=icon href='data:,'></head>"
            f"<body><main><h1>{escape(title)}</h1>{body}</main></body></html>")
    return web.Response(text=html, status=status, content_type="text/html")


def _client_problem(request: web.Request, params: Mapping[str, str]) -> web.Response | None:
    """Problems Entra shows on its own page, since it cannot trust the redirect URI."""
    tenant = context.state(request)
    client_id, redirect_uri = params.get("client_id", ""), params.get("redirect_uri", "")
    redirects = _spa_redirects(request, client_id)
    if redirects is None:
        return _page("Sign in", f"<p>AADSTS700016: Application with identifier '{escape(client_id)}' was not "
                     f"found in the directory '{escape(tenant.tenant_id)}'.</p>", 400)
    if redirect_uri not in redirects:
        return _page("Sign in", f"<p>AADSTS50011: The redirect URI '{escape(redirect_uri)}' specified in the "
                     f"request does not match the redirect URIs configured for the application "
                     f"'{escape(client_id)}'.</p>", 400)
    return None


def _redirect(params: Mapping[str, str], answer: dict) -> web.Response:
    """Back to the app: in the fragment unless response_mode=query, with the caller's state."""
    if params.get("state"):
        answer["state"] = params["state"]
    separator = "?" if params.get("response_mode") == "query" else "#"
    return web.Response(status=302, headers={"Location": f"{params['redirect_uri']}{separator}{urlencode(answer)}"})


def _request_problem(params: Mapping[str, str]) -> dict | None:
    if params.get("response_type") != "code":
        return {"error": "unsupported_response_type",
                "error_description": "AADSTS700054: response_type 'code' is the only one this app may use."}
    if not params.get("code_challenge") or params.get("code_challenge_method") != "S256":
        return {"error": "invalid_request", "error_description": "AADSTS9002325: Proof Key for Code Exchange is "
                "required for cross-origin authorization code redemption (code_challenge_method S256)."}
    return None


async def authorize_page(request: web.Request) -> web.Response:
    params = dict(request.query)
    problem = entra.known_tenant(request) or _client_problem(request, params)
    if problem:
        return problem
    invalid = _request_problem(params)
    if invalid:
        return _redirect(params, invalid)
    users = "".join(f"<option value='{escape(user['userPrincipalName'])}'>{escape(user['displayName'])} "
                    f"({escape(user['userPrincipalName'])})</option>" for user in context.state(request).users)
    roles = "".join(f"<option>{role}</option>" for role in ROLES)
    hidden = "".join(f"<input type=hidden name='{name}' value='{escape(params[name])}'>"
                     for name in FORWARDED + ("response_type",) if name in params)
    return _page("Sign in to the sandbox tenant", f"<form method=post>{hidden}"
                 f"<p><label for=user>User</label> <select id=user name=sandbox_user>{users}</select></p>"
                 f"<p><label for=role>App role</label> <select id=role name=sandbox_role>{roles}</select></p>"
                 "<p><button type=submit>Sign in</button></p></form>")


async def authorize_submit(request: web.Request) -> web.Response:
    params = {name: str(value) for name, value in (await request.post()).items()}
    problem = entra.known_tenant(request) or _client_problem(request, params)
    if problem:
        return problem
    invalid = _request_problem(params)
    user = context.state(request).user(params.get("sandbox_user", ""))
    if invalid is None and (user is None or params.get("sandbox_role") not in ROLES):
        invalid = {"error": "access_denied", "error_description": "AADSTS50105: The signed in user is not assigned "
                   "to a role for the application."}
    if invalid:
        return _redirect(params, invalid)
    code = secrets.token_urlsafe(32)
    request.app[CODES][code] = Grant(params["client_id"], params["redirect_uri"], params["code_challenge"],
                                     params.get("scope", ""), params.get("nonce", ""), user,
                                     params["sandbox_role"], time.time() + CODE_LIFETIME)
    answer = {"code": code, "session_state": secrets.token_hex(16)}
    if params.get("client_info") == "1":
        answer["client_info"] = _client_info(request, user)
    return _redirect(params, answer)


def _client_info(request: web.Request, user: dict) -> str:
    info = {"uid": user["id"], "utid": context.state(request).tenant_id}
    return base64.urlsafe_b64encode(json.dumps(info).encode()).rstrip(b"=").decode()


def _cors(request: web.Request, client_id: str) -> dict[str, str]:
    """Entra answers a browser's cross-origin redemption only for the SPA's own origins."""
    origin = request.headers.get("Origin", "")
    allowed = {_origin(uri) for uri in _spa_redirects(request, client_id) or []}
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"} if origin.lower() in allowed else {}


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
    return {"token_type": "Bearer", "scope": " ".join(resource_scopes), "expires_in": entra.TOKEN_LIFETIME,
            "ext_expires_in": entra.TOKEN_LIFETIME, "access_token": access,
            "id_token": request.app[entra.KEYS].trusted.sign(id_claims), "client_info": _client_info(request, user)}


async def token(request: web.Request) -> web.Response:
    problem = entra.known_tenant(request)
    if problem:
        return problem
    form = {name: str(value) for name, value in (await request.post()).items()}
    grant_type = form.get("grant_type", "")
    if grant_type == "authorization_code":
        return await _redeem(request, form)
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
    app[CODES] = {}
    app.router.add_get("/{tenant}/oauth2/v2.0/authorize", authorize_page)
    app.router.add_post("/{tenant}/oauth2/v2.0/authorize", authorize_submit)
    app.router.add_post("/{tenant}/oauth2/v2.0/token", token)
    app.router.add_options("/{tenant}/oauth2/v2.0/token", token_preflight)
