"""The console beside the API on one host with an empty routePrefix, through the local host: `/`
is the page, the API keeps its paths, and an API path no route takes is still the API's 404."""

from __future__ import annotations

import pytest

from tests.e2e.test_http_boundary import assert_problem

pytestmark = pytest.mark.e2e


def test_the_root_is_the_console_with_its_policy(e2e):
    response = e2e.http.get("/")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert e2e.http.get("/console/msal-browser.min.js").status_code == 200


def test_the_api_keeps_its_paths_and_its_own_404(e2e):
    assert e2e.http.get("/api/health").json()["status"] == "ok"
    assert e2e.http.get("/api/openapi.json").json()["paths"]["/api/status"]
    assert "no API route" in assert_problem(e2e.http.get("/api/remediations/x/rollback"), 404)["detail"]
    assert e2e.http.post("/").status_code == 404   # the console only answers GET
    assert e2e.http.get("/health").status_code == 404


def test_an_api_answer_is_never_run_or_framed_by_a_browser(e2e):
    response = e2e.http.get("/api/health")
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
