"""The console at the site's root: its page and files with a strict Content-Security-Policy, the
sign-in settings it reads, nothing else (no path of the request's making, no /api path), and
GET /api/status for the bar every page shows."""

from __future__ import annotations

import re

import pytest

from handlers.console import console
from handlers.health import status
from handlers import console_files
from remediation.auth import ADMIN, READER
from tests.unit.handlers.calls import http_request, json_of, problem_of


def get(path: str):
    return console(http_request("GET", f"/{path}", route_params={"path": path} if path else {}))


async def test_the_page_is_served_at_the_root_with_a_strict_policy(fake, app_settings):
    response = await get("")
    policy = response.headers["Content-Security-Policy"]
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    assert b"<main id=\"main\"" in response.get_body()
    assert "script-src 'self';" in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert f"connect-src 'self' {app_settings.login_base_url.rstrip('/')};" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["console/app.js", "console/views.js", "console/console.css", "redirect",
                                  "console/msal-browser.min.js", "console/msal-redirect-bridge.min.js"])
async def test_every_console_file_is_served_with_the_policy(fake, path):
    response = await get(path)
    assert response.status_code == 200 and "Content-Security-Policy" in response.headers


async def test_msal_is_the_npm_packages_own_file(fake):
    response = await get("console/msal-browser.min.js")
    assert response.get_body().startswith(b"/*! @azure/msal-browser v")


@pytest.mark.parametrize("path", ["console/../function_app.py", "console/nothing.js", "host.json", "console"])
async def test_any_other_path_is_404(fake, path):
    response = await get(path)
    assert response.status_code == 404 and "no page or file" in problem_of(response)["detail"]


async def test_a_path_under_api_that_no_route_takes_is_the_apis_404_not_a_page(fake):
    response = await get("api/remediations/x/rollback")
    assert response.status_code == 404 and "no API route" in problem_of(response)["detail"]


async def test_the_sign_in_settings_name_the_client_the_authority_and_the_apis_scope(fake, app_settings):
    config = json_of(await get(console_files.CONFIG))
    assert config == {"clientId": app_settings.console_client_id,
                      "authority": f"{app_settings.login_base_url.rstrip('/')}/{app_settings.tenant_id}",
                      "redirectUri": "https://responder.example.net/redirect",
                      "scopes": [f"{app_settings.api_audience}/.default"]}


def test_the_pages_hold_no_inline_script_style_or_handler():
    for page in console_files.PAGES.glob("*.html"):
        html = page.read_text()
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], page.name
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", html, re.I), page.name


def test_the_scripts_never_write_markup():
    for script in console_files.PAGES.glob("*.js"):
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(", script.read_text())


async def test_status_needs_a_reader_and_says_what_the_caller_may_do(fake, entra):
    assert (await status(http_request("GET", "/api/status"))).status_code == 401
    reader = json_of(await status(http_request("GET", "/api/status", headers=entra.bearer(READER))))
    admin = json_of(await status(http_request("GET", "/api/status", headers=entra.bearer(ADMIN))))
    assert reader["mode"] == "dry-run" and reader["breaker"]["open"] is False
    assert (reader["caller"]["admin"], admin["caller"]["admin"]) == (False, True)
