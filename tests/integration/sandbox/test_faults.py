"""Faults of the sandbox: throttling with integer and decimal Retry-After, 503, 504, dropped connections,
latency; for the next N calls or at a seeded rate; matched by method, path and Exchange cmdlet."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.conftest import load_event
from tests.plugins.sandbox import keys

DOMAINS = "/v1.0/domains"
INVOKE = "/adminapi/beta/contoso.onmicrosoft.com/InvokeCommand"


@pytest.mark.parametrize("retry_after", ["2.128", "10"])
def test_graph_429_has_the_documented_body_and_retry_after(sandbox, sandbox_http, retry_after):
    sandbox.fault(kind="429", path="^/v1.0/domains$", retryAfter=retry_after, count=1)
    response = sandbox_http.get(DOMAINS)
    assert response.status_code == 429 and response.headers["Retry-After"] == retry_after
    assert keys(response.json()) == keys(load_event("graph/throttling-429-response.2021.json"))
    assert response.json()["error"]["innerError"]["request-id"] == response.headers["request-id"]
    assert sandbox_http.get(DOMAINS).status_code == 200


@pytest.mark.parametrize(("kind", "code"), [("503", "serviceNotAvailable"), ("504", "gatewayTimeout")])
def test_graph_5xx_use_graphs_error_body(sandbox, sandbox_http, kind, code):
    sandbox.fault(kind=kind, count=1)
    response = sandbox_http.get(DOMAINS)
    assert response.status_code == int(kind)
    assert response.json()["error"]["code"] == code and "innerError" in response.json()["error"]


def test_503_may_carry_retry_after(sandbox, sandbox_http):
    sandbox.fault(kind="503", retryAfter="1.5", count=1)
    assert sandbox_http.get(DOMAINS).headers["Retry-After"] == "1.5"


def test_drop_closes_the_connection_without_a_response(sandbox, sandbox_http):
    sandbox.fault(kind="drop", path="revokeSignInSessions", count=1)
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        sandbox_http.post("/v1.0/users/adele@contoso.com/revokeSignInSessions")
    assert sandbox.user("adele@contoso.com")["revocations"] == []
    assert sandbox.requests()[-1]["dropped"] is True
    assert sandbox_http.post("/v1.0/users/adele@contoso.com/revokeSignInSessions").status_code == 200


def test_latency_delays_the_call_and_lets_it_succeed(sandbox, sandbox_http):
    sandbox.fault(kind="latency", latencyMs=300, count=1)
    started = time.monotonic()
    response = sandbox_http.get(DOMAINS)
    assert response.status_code == 200 and time.monotonic() - started >= 0.3   # a lower bound: true on any machine
    sandbox_http.get(DOMAINS)
    delayed, next_call = sandbox.requests()[-2:]
    assert delayed["latencyMs"] == 300 and "latencyMs" not in next_call   # the log says which call was held


def test_count_fires_on_the_next_n_matching_calls_then_disarms(sandbox, sandbox_http):
    sandbox.fault(kind="503", method="GET", path="/domains", count=2)
    assert sandbox_http.post("/v1.0/users/adele@contoso.com/revokeSignInSessions").status_code == 200
    assert [sandbox_http.get(DOMAINS).status_code for _ in range(3)] == [503, 503, 200]
    assert sandbox.control("GET", "faults").json() == []


def test_a_fault_without_count_or_rate_fires_until_cleared(sandbox, sandbox_http):
    sandbox.fault(kind="504")
    assert [sandbox_http.get(DOMAINS).status_code for _ in range(3)] == [504, 504, 504]
    sandbox.clear_faults()
    assert sandbox_http.get(DOMAINS).status_code == 200


def _statuses_at_rate(sandbox, sandbox_http) -> list[int]:
    sandbox.load()
    sandbox.fault(kind="503", rate=0.5)
    return [sandbox_http.get(DOMAINS).status_code for _ in range(30)]


def test_rate_is_random_but_replays_the_same_with_the_same_seed(sandbox, sandbox_http):
    first, second = _statuses_at_rate(sandbox, sandbox_http), _statuses_at_rate(sandbox, sandbox_http)
    assert first == second and {200, 503} == set(first)


def test_exchange_faults_match_the_cmdlet_and_use_exchanges_error_shape(sandbox, sandbox_http):
    sandbox.fault(kind="429", cmdlet="remove-blockedsenderaddress", retryAfter="2.5", count=1)
    remove = {"CmdletInput": {"CmdletName": "Remove-BlockedSenderAddress",
                              "Parameters": {"SenderAddress": "adele@contoso.com"}}}
    listing = {"CmdletInput": {"CmdletName": "Get-BlockedSenderAddress", "Parameters": {}}}
    assert sandbox_http.post(INVOKE, json=listing).status_code != 429
    response = sandbox_http.post(INVOKE, json=remove)
    assert response.status_code == 429 and response.headers["Retry-After"] == "2.5"
    assert set(response.json()["error"]) == {"code", "message", "innererror"}
    assert sandbox.requests()[-1]["cmdlet"] == "Remove-BlockedSenderAddress"


def test_management_api_faults_use_its_error_shape(sandbox, sandbox_http):
    sandbox.fault(kind="503", path="^/api/v1.0/", count=1)
    response = sandbox_http.get(f"/api/v1.0/{sandbox.tenant_id}/activity/feed/subscriptions/list")
    assert response.status_code == 503 and response.json()["error"]["code"] == "AF50000"


def test_faults_can_be_set_in_the_scenario(sandbox, sandbox_http):
    scenario = sandbox.scenario()
    scenario["faults"] = [{"kind": "429", "path": "/domains", "retryAfter": "1", "count": 1}]
    sandbox.load(scenario)
    assert sandbox_http.get(DOMAINS).status_code == 429


def test_control_routes_are_never_faulted(sandbox, sandbox_http):
    sandbox.fault(kind="503")
    assert sandbox_http.get("/_sandbox/state").status_code == 200
    assert sandbox_http.get("/_sandbox/health").json()["status"] == "ok"


@pytest.mark.parametrize("spec", [{"kind": "418"}, {"kind": "429", "count": 0}, {"kind": "latency"},
                                  {"kind": "503", "path": "("}, {"kind": "503", "rate": 2}, {"kind": "503", "when": 1},
                                  {"kind": "timeout"}, {"kind": "budget", "limit": 0, "windowSeconds": 1}])
def test_an_invalid_fault_is_refused(sandbox_http, spec):
    response = sandbox_http.post("/_sandbox/faults", json=spec)
    assert response.status_code == 400 and response.json()["error"]


def test_a_307_names_its_location_and_needs_one(sandbox, sandbox_http):
    sandbox.fault(kind="307", path="^/v1.0/domains$", location="http://elsewhere.example/v1.0/domains", count=1)
    response = sandbox_http.get(DOMAINS)
    assert response.status_code == 307 and response.headers["Location"] == "http://elsewhere.example/v1.0/domains"
    assert sandbox_http.get(DOMAINS).status_code == 200
    with pytest.raises(AssertionError, match="400 .*a 307 fault needs a location"):
        sandbox.fault(kind="307")


@pytest.mark.parametrize("applied", [True, False])
def test_timeout_holds_the_answer_then_closes_the_connection(sandbox, sandbox_http, applied):
    sandbox.fault(kind="timeout", path="revokeSignInSessions", latencyMs=200, applied=applied, count=1)
    started = time.monotonic()
    with pytest.raises(httpx.RemoteProtocolError, match="disconnected without sending a response"):
        sandbox_http.post("/v1.0/users/adele@contoso.com/revokeSignInSessions")
    assert time.monotonic() - started >= 0.2
    assert len(sandbox.user("adele@contoso.com")["revocations"]) == (1 if applied else 0)
    assert (sandbox.requests()[-1]["dropped"], sandbox.requests()[-1]["applied"]) == (True, applied)


def test_a_budget_answers_429_past_its_limit_until_the_window_ends(sandbox, sandbox_http):
    sandbox.fault(kind="budget", path="^/v1.0/domains$", limit=3, windowSeconds=1)
    answers = [sandbox_http.get(DOMAINS) for _ in range(5)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429, 429]
    assert answers[3].headers["Retry-After"] == "1"
    assert answers[3].json()["error"]["code"] == "TooManyRequests"
    time.sleep(1)   # the window's own length: the sandbox's clock for budgets is the monotonic one
    assert sandbox_http.get(DOMAINS).status_code == 200


def test_each_logged_call_has_its_start_and_its_answers_time(sandbox, sandbox_http):
    sandbox.fault(kind="latency", latencyMs=100, count=1)
    sandbox_http.get(DOMAINS)
    [call] = sandbox.requests()
    assert call["startedAt"] < call["at"]
