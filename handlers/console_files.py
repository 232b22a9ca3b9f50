"""The admin console's files (console/ beside the app, MSAL for the browser from its npm package)
and the sign-in settings the page reads. Only these named files are served, never a path a
request makes up."""

from __future__ import annotations

from pathlib import Path

from remediation.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "console"
# The npm package in a checkout (make installs it); a deployment ships the copies azure.yaml's
# prepackage hook puts in console/vendor/ (node_modules is not deployed).
MSAL = ROOT / "node_modules" / "@azure" / "msal-browser" / "lib"
VENDOR = PAGES / "vendor"
CONFIG = "console/config.json"
HTML, JS, CSS = "text/html; charset=utf-8", "text/javascript; charset=utf-8", "text/css; charset=utf-8"
SVG = "image/svg+xml"
FILES: dict[str, tuple[str, tuple[Path, ...]]] = {
    "": (HTML, (PAGES / "index.html",)),
    "redirect": (HTML, (PAGES / "redirect.html",)),
    "console/app.js": (JS, (PAGES / "app.js",)),
    "console/views.js": (JS, (PAGES / "views.js",)),
    "console/redirect.js": (JS, (PAGES / "redirect.js",)),
    "console/console.css": (CSS, (PAGES / "console.css",)),
    "console/favicon.svg": (SVG, (PAGES / "favicon.svg",)),
    "console/msal-browser.min.js": (JS, (VENDOR / "msal-browser.min.js", MSAL / "msal-browser.min.js")),
    "console/msal-redirect-bridge.min.js": (JS, (VENDOR / "msal-redirect-bridge.min.js",
                                                 MSAL / "redirect-bridge" / "msal-redirect-bridge.min.js")),
}


def find(path: str) -> tuple[str, bytes] | None:
    """(content type, bytes) of a console file, None for any other path."""
    content_type, places = FILES.get(path.strip("/"), ("", ()))
    for place in places:
        if place.is_file():
            return content_type, place.read_bytes()
    return None


def sign_in(settings: Settings, origin: str) -> dict:
    """What MSAL needs: the SPA's client id, the tenant's authority and the API's scope."""
    authority = f"{(settings.console_login_base_url or settings.login_base_url).rstrip('/')}/{settings.tenant_id}"
    return {"clientId": settings.console_client_id, "authority": authority, "redirectUri": f"{origin}/redirect",
            "scopes": [f"{settings.api_audience}/.default"] if settings.api_audience else []}
