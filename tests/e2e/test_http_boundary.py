"""What the app answers at its HTTP edge, through the local host: bearer tokens that must be refused,
bad input, and the anonymous routes (health, OpenAPI) that must reveal nothing."""

from __future__ import annotations

import time

import pytest

from tests.e2e.support import ADMIN, ALERTS_SUBMIT, AUDIENCE, READER, sentinel_incident

pytestmark = pytest.mark.e2e

MAX_REQUEST_BYTES = 4096
E2E_SETTINGS = {"MAX_REQUEST_BYTES": str(MAX_REQUEST_BYTES)}
ADELE = "adele@contoso.com"
HOUR = 3600


def assert_problem(response, status: int) -> dict:
    """A JSON problem body (RFC 9457) with this status, and no traceback."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in response.text
    return body


# -- bearer tokens ----------------------------------------------------------------------------------

def bad_tokens(e2e) -> dict[str, dict]:
    """Authorization headers that must be refused with 401, each wrong in one way."""
    now = int(time.time())
    issuer = f"{e2e.sandbox.url}/{e2e.sandbox.tenant_id}/v2.0"
    return {
        "no token": {},
        "not a bearer token": {"Authorization": "Basic YWRtaW46YWRtaW4="},
        "malformed": {"Authorization": "Bearer not.a.jwt"},
        "wrong audience": e2e.bearer(ADMIN, aud="api://another-app"),
        "wrong issuer": e2e.bearer(ADMIN, iss=issuer.replace(e2e.sandbox.tenant_id, "common")),
        "untrusted key": e2e.bearer(ADMIN, signWith="untrusted"),
        "expired": e2e.bearer(ADMIN, iat=now - 2 * HOUR, nbf=now - 2 * HOUR, exp=now - HOUR),
        "not yet valid": e2e.bearer(ADMIN, nbf=now + HOUR, exp=now + 2 * HOUR),
    }


# Each refused for its own reason (the problem's detail says which).
REASONS = {"no token": "a bearer token is required", "not a bearer token": "a bearer token is required",
           "malformed": "the token is malformed", "wrong audience": "Audience doesn't match",
           "wrong issuer": "Invalid issuer", "untrusted key": "Signature verification failed",
           "expired": "Signature has expired", "not yet valid": "not yet valid"}


@pytest.mark.parametrize("case", REASONS)
def test_a_bad_token_is_401_with_www_authenticate_on_the_admin_api_and_the_sentinel_intake(e2e, case):
    headers = bad_tokens(e2e)[case]
    calls = [e2e.http.get("/api/remediations", headers=headers),
             e2e.http.post("/api/remediations", json={"user": ADELE}, headers=headers),
             e2e.http.post("/api/alerts/sentinel", json=sentinel_incident(ADELE), headers=headers)]
    for response in calls:
        assert REASONS[case] in assert_problem(response, 401)["detail"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert e2e.jobs() == [] and e2e.queue_depth() == 0


@pytest.mark.parametrize("roles, method, path", [
    ((), "GET", "/api/remediations"),
    ((ALERTS_SUBMIT,), "GET", "/api/restricted-senders"),
    ((ALERTS_SUBMIT,), "GET", "/api/health?deep=true"),
    ((READER,), "POST", "/api/remediations"),
    ((READER,), "POST", "/api/alerts/sentinel"),
    ((ADMIN,), "POST", "/api/alerts/sentinel"),
], ids=["no role", "intake role reads", "intake role probes", "reader acts", "reader submits", "admin submits"])
def test_a_valid_token_without_the_role_is_403(e2e, roles, method, path):
    body = sentinel_incident(ADELE) if path.endswith("sentinel") else {"user": ADELE}
    response = e2e.http.request(method, path, headers=e2e.bearer(*roles), json=body if method == "POST" else None)
    assert "lacks the app role" in assert_problem(response, 403)["detail"]
    assert "WWW-Authenticate" not in response.headers
    assert e2e.jobs() == [] and e2e.queue_depth() == 0


def test_a_token_for_our_audience_with_the_role_is_accepted(e2e):
    response = e2e.http.get("/api/remediations", headers=e2e.bearer(READER, aud=AUDIENCE))
    assert response.status_code == 200 and response.json() == {"items": [], "nextLink": None}


# -- bad input --------------------------------------------------------------------------------------

@pytest.mark.parametrize("body, status, says", [
    (b'{"user": "adele@contoso.com"', 400, "not valid JSON"),
    (b'["adele@contoso.com"]', 400, "JSON object"),
    (b'{"user": "adele@contoso.com", "priority": "high"}', 400, "unknown field(s): priority"),
    (b'{"user": "adele"}', 400, "user must be an email address"),
    (b'{"user": "adele@contoso.com", "mode": "yolo"}', 400, "mode must be one of"),
    (b'{"user": "adele@contoso.com", "reason": "' + b"x" * MAX_REQUEST_BYTES + b'"}', 413, "larger than"),
], ids=["malformed JSON", "not an object", "unknown field", "not an address", "unknown mode", "too large"])
def test_bad_input_to_the_admin_api_is_a_problem_and_starts_nothing(e2e, body, status, says):
    response = e2e.http.post("/api/remediations", content=body,
                             headers={**e2e.bearer(ADMIN), "Content-Type": "application/json"})
    assert says in assert_problem(response, status)["detail"]
    assert e2e.jobs() == [] and e2e.queue_depth() == 0


@pytest.mark.parametrize("path, headers", [
    ("/api/alerts/sentinel", "bearer"), ("/api/alerts/azure-monitor", "key"), ("/api/alerts/o365", "auth id"),
])
def test_bad_input_to_the_alert_routes_is_a_problem_and_starts_nothing(e2e, path, headers):
    credentials = {"bearer": e2e.bearer(ALERTS_SUBMIT), "key": {"x-functions-key": e2e.settings["FUNCTIONS_KEY"]},
                   "auth id": {"Webhook-AuthID": e2e.settings["O365_WEBHOOK_AUTH_ID"]}}[headers]
    for body, status in ((b"{not json", 400), (b"[" + b"1," * MAX_REQUEST_BYTES + b"1]", 413)):
        assert_problem(e2e.http.post(path, content=body, headers=credentials), status)
    assert e2e.jobs() == [] and e2e.queue_depth() == 0


# -- anonymous routes -------------------------------------------------------------------------------

def secrets_of(e2e) -> list[str]:
    account_key = e2e.settings["AzureWebJobsStorage"].partition("AccountKey=")[2].partition(";")[0]
    return [e2e.settings["O365_WEBHOOK_AUTH_ID"], e2e.settings["FUNCTIONS_KEY"], account_key]


def test_health_answers_without_a_token_and_reveals_no_secret(e2e):
    since = len(e2e.outbound())
    response = e2e.http.get("/api/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["checks"] == {"settings": "ok", "storage": "ok"}
    assert not [secret for secret in secrets_of(e2e) if secret and secret in response.text]
    assert e2e.sandbox.requests(since) == []   # the anonymous answer probes nothing at Microsoft


def test_deep_health_needs_a_reader_and_probes_each_permission(e2e):
    assert_problem(e2e.http.get("/api/health?deep=true"), 401)
    response = e2e.http.get("/api/health?deep=true", headers=e2e.bearer(READER))
    assert response.status_code == 200, response.text
    assert {"graph.domains", "graph.securityAlerts", "exchange.blockedSenders"} <= set(response.json()["details"])
    assert not [secret for secret in secrets_of(e2e) if secret and secret in response.text]


def test_the_openapi_document_answers_without_a_token_describes_the_routes_and_reveals_no_secret(e2e):
    response = e2e.http.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert {"/remediations", "/remediations/{id}", "/remediations/{id}/approve", "/remediations/{id}/cancel",
            "/restricted-senders", "/alerts/o365", "/alerts/azure-monitor", "/alerts/sentinel",
            "/health"} <= {path.removeprefix("/api") for path in document["paths"]}
    assert not [secret for secret in secrets_of(e2e) if secret and secret in response.text]
