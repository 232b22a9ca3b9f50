"""GET /api/health (anonymous summary, deep details for readers) and GET /api/openapi.json."""

from __future__ import annotations

from handlers import runtime
from handlers.health import health, openapi_document
from remediation import openapi
from remediation.auth import READER
from tests.unit.handlers.calls import http_request, json_of, problem_of


async def test_anonymous_health_says_only_which_checks_pass(fake):
    fake.checks["graph"] = {"ok": False, "detail": "missing User.RevokeSessions.All", "secret": "s3cr3t"}
    response = await health(http_request("GET", "/api/health"))
    assert response.status_code == 503
    assert json_of(response) == {"status": "failed", "version": openapi.VERSION,
                                 "checks": {"storage": "ok", "settings": "ok", "graph": "failed"}}
    assert fake.calls == ["health(deep=False)"]


async def test_a_healthy_app_is_200(fake):
    response = await health(http_request("GET", "/api/health"))
    assert response.status_code == 200 and json_of(response)["status"] == "ok"


async def test_deep_health_needs_a_reader_and_names_what_is_missing(fake, entra):
    assert (await health(http_request("GET", "/api/health", params={"deep": "true"}))).status_code == 401
    fake.checks["exchange"] = {"ok": False, "missing": ["Exchange.ManageAsApp"]}
    response = await health(http_request("GET", "/api/health", params={"deep": "true"}, headers=entra.bearer(READER)))
    body = json_of(response)
    assert response.status_code == 503 and body["details"]["exchange"]["missing"] == ["Exchange.ManageAsApp"]
    assert fake.calls == ["health(deep=True)"]


async def test_invalid_settings_are_a_failed_check(monkeypatch):
    runtime.use(None)
    monkeypatch.setenv("REMEDIATION_MODE", "yolo")
    response = await health(http_request("GET", "/api/health"))
    assert response.status_code == 503 and json_of(response)["checks"] == {"settings": "failed"}


async def test_the_openapi_document_is_served_without_a_token(fake):
    response = await openapi_document(http_request("GET", "/api/openapi.json"))
    assert json_of(response)["openapi"].startswith("3.") and fake.calls == []


async def test_invalid_settings_are_a_generic_problem_elsewhere_and_logged(monkeypatch, caplog):
    from handlers.admin_api import restricted_senders

    runtime.use(None)
    monkeypatch.setenv("REMEDIATION_MODE", "yolo")
    problem = problem_of(await restricted_senders(http_request("GET", "/api/restricted-senders")))
    assert (problem["status"], problem["detail"]) == (500, "the app is misconfigured; see its logs")
    assert "REMEDIATION_MODE" in caplog.text and "yolo" in caplog.text
