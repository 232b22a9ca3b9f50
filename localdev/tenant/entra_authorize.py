"""Entra ID sign-in of a single-page app, its first half: the authorize endpoint (v2.0).

    GET  /{tenant}/oauth2/v2.0/authorize    a page to pick a sandbox user and an app role
    POST /{tenant}/oauth2/v2.0/authorize    that page's answer: a one-time code, redirected back

As Microsoft's identity platform documents it: the redirect URI must be one of the app's
`spa.redirectUris` (scenario `entra.apps.{clientId}.spa.redirectUris`), else an error page and
no redirect; other problems go back to the redirect URI as `error` and `error_description`;
PKCE (S256) is required; the answer is in the fragment unless `response_mode=query`. The code
lives 10 minutes; entra_signin.py redeems it.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import secrets
import time
from html import escape
from typing import Mapping
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from localdev.tenant import context, entra

CODE_LIFETIME = 600
ROLES = ("Remediation.Admin", "Remediation.Reader")
FORWARDED = ("client_id", "redirect_uri", "response_mode", "scope", "state", "nonce", "code_challenge",
             "code_challenge_method", "client_info")


@dataclasses.dataclass
class Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    scope: str
    nonce: str
    user: dict
    role: str
    expires: float
    refresh: bool = False   # a refresh token's grant (its expiry is the session's end)


CODES = web.AppKey("entra_codes", dict)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def spa_redirects(request: web.Request, client_id: str) -> list[str] | None:
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
    redirects = spa_redirects(request, client_id)
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
        answer["client_info"] = client_info(request, user)
    return _redirect(params, answer)


def client_info(request: web.Request, user: dict) -> str:
    info = {"uid": user["id"], "utid": context.state(request).tenant_id}
    return base64.urlsafe_b64encode(json.dumps(info).encode()).rstrip(b"=").decode()



def add_routes(app: web.Application) -> None:
    app[CODES] = {}
    app.router.add_get("/{tenant}/oauth2/v2.0/authorize", authorize_page)
    app.router.add_post("/{tenant}/oauth2/v2.0/authorize", authorize_submit)
