"""The sandbox's control API: state, scenarios, the request log, faults, per-user state."""

from __future__ import annotations

import pytest


def test_health_names_the_tenant(sandbox, sandbox_http):
    health = sandbox_http.get("/_sandbox/health").json()
    assert health == {"status": "ok", "tenantId": "9188040d-6c67-4c5b-b112-36a304b66dad"}


def test_state_holds_the_scenario_and_the_records(sandbox):
    state = sandbox.state()
    assert {"tenant", "users", "blockedSenders", "passwordChanges", "revocations", "outbox", "unblocks"} <= set(state)
    assert [entry["SenderAddress"] for entry in state["blockedSenders"]][:2] == ["adele@contoso.com", "lee@contoso.com"]


def test_relative_times_in_a_scenario_become_recent_iso_times(sandbox):
    created = sandbox.state()["blockedSenders"][0]["CreatedDatetime"]
    assert created.endswith("Z") and created[:4].isdigit() and "now" not in created


def test_posting_a_scenario_replaces_the_whole_state(sandbox, sandbox_http):
    sandbox_http.post("/v1.0/users/adele@contoso.com/revokeSignInSessions")
    state = sandbox.load({"tenant": {"id": "11111111-2222-4333-8444-555555555555",
                                     "domains": [{"id": "tailspin.example", "isDefault": True}]},
                          "users": [{"userPrincipalName": "kim@tailspin.example"}]})
    assert [user["userPrincipalName"] for user in state["users"]] == ["kim@tailspin.example"]
    assert state["revocations"] == {} and state["blockedSenders"] == []
    assert sandbox_http.get("/v1.0/users/adele@contoso.com").status_code == 404
    assert sandbox_http.get("/v1.0/users/kim@tailspin.example").json()["mail"] == "kim@tailspin.example"


def test_the_scenario_round_trips(sandbox):
    scenario = sandbox.scenario()
    assert sandbox.load(scenario)["users"] == sandbox.state()["users"] == scenario["users"]


@pytest.mark.parametrize("body", [["not", "a", "mapping"], {"usres": []}, {"users": [{"displayName": "No UPN"}]},
                                  {"faults": [{"kind": "teapot"}]}])
def test_an_invalid_scenario_is_400_and_keeps_the_tenant(sandbox, sandbox_http, body):
    response = sandbox_http.post("/_sandbox/scenario", json=body)
    assert response.status_code == 400 and response.json()["error"]
    assert sandbox.user("adele@contoso.com")["displayName"] == "Adele Vance"


def test_the_request_log_records_service_calls_not_control_calls(sandbox, sandbox_http):
    sandbox_http.get("/v1.0/users/adele@contoso.com", params={"$select": "id"})
    sandbox.state()
    [entry] = sandbox.requests()
    assert (entry["method"], entry["path"], entry["query"], entry["status"]) == (
        "GET", "/v1.0/users/adele@contoso.com", {"$select": "id"}, 200)
    assert entry["index"] == 0 and entry["at"].endswith("Z")


def test_the_request_log_pages_from_an_index_and_can_be_cleared(sandbox, sandbox_http):
    for _ in range(3):
        sandbox_http.get("/v1.0/domains")
    assert [entry["index"] for entry in sandbox.requests(since=1)] == [1, 2]
    assert sandbox_http.delete("/_sandbox/requests").status_code == 204
    assert sandbox.requests() == []


def test_the_request_log_never_holds_a_password(sandbox, sandbox_http):
    profile = {"password": "Kx9!vT2#pLq7", "forceChangePasswordNextSignIn": True}
    sandbox_http.patch("/v1.0/users/adele@contoso.com", json={"passwordProfile": profile})
    [entry] = sandbox.requests()
    assert entry["body"] == {"passwordProfile": {"password": "[redacted]", "forceChangePasswordNextSignIn": True}}


def test_faults_are_listed_with_ids_and_removed_one_by_one(sandbox, sandbox_http):
    first, second = sandbox.fault(kind="503", count=1), sandbox.fault(kind="latency", latencyMs=1)
    assert [fault["id"] for fault in sandbox_http.get("/_sandbox/faults").json()] == [first["id"], second["id"]]
    sandbox_http.delete("/_sandbox/faults", params={"id": first["id"]})
    assert sandbox_http.get("/_sandbox/faults").json() == [second]


def test_several_faults_can_be_posted_at_once(sandbox_http):
    response = sandbox_http.post("/_sandbox/faults", json=[{"kind": "503", "count": 1}, {"kind": "504", "count": 1}])
    assert response.status_code == 201 and [fault["kind"] for fault in response.json()] == ["503", "504"]


def test_a_user_by_upn_id_or_mail_with_its_records(sandbox, sandbox_http):
    sandbox_http.post("/v1.0/users/adele@contoso.com/revokeSignInSessions")
    by_id = sandbox.user("5f1c7a2e-3b4d-4e8f-9a01-2b3c4d5e6f70")
    assert by_id["userPrincipalName"] == "adele@contoso.com" and len(by_id["revocations"]) == 1
    assert sandbox_http.get("/_sandbox/users/nobody@contoso.com").status_code == 404


def test_control_rejects_malformed_json(sandbox_http):
    response = sandbox_http.post("/_sandbox/faults", content=b"{", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
