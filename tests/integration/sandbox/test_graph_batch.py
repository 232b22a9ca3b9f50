"""Graph JSON batching in the sandbox: per-item results, the 20-request limit, dependsOn and 424."""

from __future__ import annotations

import pytest

from tests.conftest import load_event

ADELE = "adele@contoso.com"


def test_the_documented_batch_answers_per_item_in_the_documented_shape(sandbox_graph):
    """The sample's items are delegated (/me) or unsupported routes: each fails alone, the batch is 200."""
    request, sample = load_event("graph/batch-request.contrib.json"), load_event("graph/batch-response.contrib.json")
    response = sandbox_graph.post("/$batch", json=request)
    assert response.status_code == 200
    responses = response.json()["responses"]
    assert sorted(item["id"] for item in responses) == sorted(item["id"] for item in sample["responses"])
    for item in responses:
        assert set(item) == set(sample["responses"][0])
        assert set(item["body"]["error"]) == {"code", "message", "innerError"}
    by_id = {item["id"]: item for item in responses}
    assert by_id["1"]["body"]["error"]["message"] == "/me request is only valid with delegated authentication flow."
    assert by_id["3"]["status"] == 400   # /groups is not part of the sandbox
    assert by_id["4"]["status"] == 400   # getPasswordSingleSignOnCredentials neither


def test_items_run_the_same_routes_as_standalone_requests(sandbox, sandbox_graph):
    body = {"requests": [
        {"id": "1", "method": "GET", "url": f"/users/{ADELE}?$select=id,accountEnabled"},
        {"id": "2", "method": "PATCH", "url": f"/users/{ADELE}", "headers": {"Content-Type": "application/json"},
         "body": {"passwordProfile": {"password": "xWwvJ]6NMw+bWH-d", "forceChangePasswordNextSignIn": True}}},
        {"id": "3", "method": "POST", "url": f"/users/{ADELE}/revokeSignInSessions", "dependsOn": ["2"]},
        {"id": "4", "method": "GET", "url": "users/nobody@contoso.com"},
    ]}
    by_id = {item["id"]: item for item in sandbox_graph.post("/$batch", json=body).json()["responses"]}
    assert by_id["1"]["status"] == 200 and by_id["1"]["body"]["accountEnabled"] is True
    assert by_id["2"]["status"] == 204 and "body" not in by_id["2"]
    assert by_id["3"]["status"] == 200 and by_id["3"]["body"]["value"] is True
    assert by_id["4"]["status"] == 404 and by_id["4"]["body"]["error"]["code"] == "Request_ResourceNotFound"
    user = sandbox.user(ADELE)
    assert len(user["passwordChanges"]) == 1 and len(user["revocations"]) == 1
    logged = [(entry["method"], entry["path"], entry["status"]) for entry in sandbox.requests() if "batchItem" in entry]
    assert ("PATCH", f"/v1.0/users/{ADELE}", 204) in logged
    assert "xWwvJ]6NMw+bWH-d" not in str(sandbox.requests())


def test_the_documented_depends_on_chain_runs_in_order_and_a_failure_gives_424(sandbox, sandbox_graph):
    request = load_event("graph/batch-dependsOn-request.contrib.json")
    urls = {"1": f"/users/{ADELE}", "2": "/users/nobody@contoso.com", "4": "/domains", "3": f"/users/{ADELE}"}
    for item in request["requests"]:
        item["url"] = urls[item["id"]]
    by_id = {item["id"]: item for item in sandbox_graph.post("/$batch", json=request).json()["responses"]}
    assert [by_id[key]["status"] for key in ("1", "2", "4", "3")] == [200, 404, 424, 424]
    assert by_id["4"]["body"]["error"]["code"] == "FailedDependency"
    executed = [entry["path"] for entry in sandbox.requests() if "batchItem" in entry]
    assert executed == [f"/v1.0/users/{ADELE}", "/v1.0/users/nobody@contoso.com"]


def test_more_than_twenty_requests_is_400(sandbox_graph):
    body = {"requests": [{"id": str(n), "method": "GET", "url": "/domains"} for n in range(21)]}
    response = sandbox_graph.post("/$batch", json=body)
    assert response.status_code == 400 and response.json()["error"]["code"] == "BadRequest"
    assert sandbox_graph.post("/$batch", json={"requests": body["requests"][:20]}).status_code == 200


@pytest.mark.parametrize("body", [
    {"requests": []}, {"value": []}, {"requests": [{"id": "1", "url": "/domains"}]},
    {"requests": [{"id": "1", "method": "GET", "url": "/domains"}, {"id": "1", "method": "GET", "url": "/domains"}]},
    {"requests": [{"id": "1", "method": "GET", "url": "/domains", "dependsOn": ["9"]}]},
])
def test_a_malformed_batch_is_400(sandbox_graph, body):
    assert sandbox_graph.post("/$batch", json=body).status_code == 400


def test_a_write_without_content_type_fails_alone(sandbox_graph):
    body = {"requests": [{"id": "1", "method": "PATCH", "url": f"/users/{ADELE}", "body": {"accountEnabled": False}},
                         {"id": "2", "method": "GET", "url": "/domains"}]}
    by_id = {item["id"]: item for item in sandbox_graph.post("/$batch", json=body).json()["responses"]}
    assert by_id["1"]["status"] == 400 and by_id["2"]["status"] == 200


def test_a_throttled_item_stays_inside_the_200_batch(sandbox, sandbox_graph):
    sandbox.fault(kind="429", path="revokeSignInSessions$", retryAfter="3", count=1)
    body = {"requests": [{"id": "1", "method": "POST", "url": f"/users/{ADELE}/revokeSignInSessions"},
                         {"id": "2", "method": "GET", "url": "/domains"}]}
    response = sandbox_graph.post("/$batch", json=body)
    assert response.status_code == 200
    by_id = {item["id"]: item for item in response.json()["responses"]}
    assert by_id["1"]["status"] == 429 and by_id["1"]["headers"]["Retry-After"] == "3"
    assert by_id["1"]["body"]["error"]["code"] == "TooManyRequests"
    assert by_id["2"]["status"] == 200
    assert sandbox.user(ADELE)["revocations"] == []
