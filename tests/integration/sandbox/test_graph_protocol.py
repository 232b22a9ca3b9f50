"""How the sandbox's Graph answers requests no route takes: unknown segments, wrong methods, bad JSON."""

from __future__ import annotations

import httpx
import pytest


@pytest.mark.parametrize(("path", "segment"), [
    ("/usrs/adele@contoso.com", "usrs"),
    ("/users/adele@contoso.com/revokeSessions", "revokeSessions"),
    ("/users/adele@contoso.com/mailFolders/inbox/rules", "rules"),
])
def test_an_unknown_segment_is_graphs_400(sandbox_graph, path, segment):
    response = sandbox_graph.get(path)
    error = response.json()["error"]
    assert response.status_code == 400
    assert (error["code"], error["message"]) == ("BadRequest", f"Resource not found for the segment '{segment}'.")


def test_literal_segments_match_in_any_case(sandbox_graph):
    assert sandbox_graph.get("/Users/adele@contoso.com/MailFolders/Inbox/MessageRules").status_code == 200


def test_a_known_path_with_the_wrong_method_is_405(sandbox_graph):
    response = sandbox_graph.delete("/users/adele@contoso.com")
    assert response.status_code == 405
    assert response.json()["error"]["message"] == "Specified HTTP method is not allowed for the request target."


def test_me_is_refused_for_an_app(sandbox_graph):
    response = sandbox_graph.get("/me")
    assert response.status_code == 400 and "delegated authentication flow" in response.json()["error"]["message"]


@pytest.mark.parametrize(("method", "path"), [
    ("PATCH", "/users/adele@contoso.com"), ("POST", "/$batch"), ("POST", "/users/secops@contoso.com/sendMail"),
    ("PATCH", "/users/adele@contoso.com/mailFolders/inbox/messageRules/AQAAAJ5dZp8="),
])
def test_malformed_json_is_400(sandbox, sandbox_graph, method, path):
    response = sandbox_graph.request(method, path, content=b'{"passwordProfile": ',
                                     headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "valid JSON" in response.json()["error"]["message"]
    assert sandbox.state()["passwordChanges"] == {} and sandbox.state()["outbox"] == []


def test_a_rule_id_with_an_encoded_slash_is_one_segment(sandbox, sandbox_graph):
    scenario = sandbox.scenario()
    scenario["users"][0]["inboxRules"][0]["id"] = "AQAAAJ5d/p8="
    sandbox.load(scenario)
    response = sandbox_graph.get("/users/adele@contoso.com/mailFolders/inbox/messageRules/AQAAAJ5d%2Fp8=")
    assert response.status_code == 200 and response.json()["id"] == "AQAAAJ5d/p8="


def test_a_path_outside_every_service_is_a_json_404(sandbox):
    response = httpx.get(f"{sandbox.url}/beta/users")
    assert response.status_code == 404 and response.json()["error"]["code"] == "NotFound"
