"""The admin console: a page and its files at the site's root, beside the API under /api.

host.json's routePrefix is empty so that one catch-all route can answer `/`; every API route
names its own `api/` prefix and, being more specific, wins. A path under api/ that no API
route takes is the API's 404, not a page. Every answer carries a strict Content-Security-Policy:
scripts and styles only from this site, connections only to it and to the sign-in authority.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import azure.functions as func

from handlers.http_errors import http_endpoint, json_response, problem
from handlers.http_io import origin
from handlers.runtime import settings
from handlers import console_files

bp = func.Blueprint()


def _headers(authority: str, content_type: str) -> dict[str, str]:
    login = urlsplit(authority)
    policy = (f"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
              f"connect-src 'self' {login.scheme}://{login.netloc}; object-src 'none'; base-uri 'none'; "
              f"form-action 'none'; frame-ancestors 'none'")
    return {"Content-Type": content_type, "Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer", "Cache-Control": "no-cache"}


@bp.route(route="{*path}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@http_endpoint
async def console(req: func.HttpRequest) -> func.HttpResponse:
    path = req.route_params.get("path") or ""
    if path.lower().split("/")[0] == "api":
        return problem(404, f"no API route answers GET /{path}")
    config = console_files.sign_in(settings(), origin(req))
    if path == console_files.CONFIG:
        return json_response(config, headers={"Cache-Control": "no-cache"})
    asset = console_files.find(path)
    if asset is None:
        return problem(404, f"the console has no page or file /{path}")
    content_type, body = asset
    return func.HttpResponse(body, status_code=200, headers=_headers(config["authority"], content_type))
