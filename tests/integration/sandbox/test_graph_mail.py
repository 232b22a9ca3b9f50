"""Graph mail routes of the sandbox: inbox message rules (hidden ones invisible) and sendMail."""

from __future__ import annotations

from tests.conftest import load_event

ADELE = "adele@contoso.com"
RULES = f"/users/{ADELE}/mailFolders/inbox/messageRules"


def test_rules_list_has_the_documented_shape_and_hides_hidden_rules(sandbox_graph):
    sample = load_event("graph/messageRules-list-response.json")
    response = sandbox_graph.get(RULES)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == set(sample)
    assert body["@odata.context"].endswith("/mailFolders('inbox')/messageRules")
    assert [set(rule) for rule in body["value"]] == [set(rule) for rule in sample["value"]]
    assert [rule["displayName"] for rule in body["value"]] == ["Team updates", "."]
    forward_to = body["value"][1]["actions"]["forwardTo"]
    assert forward_to[0]["emailAddress"]["address"] == "adele.vance.backup@mailbox.example"


def test_update_from_the_documented_sample_returns_the_whole_rule(sandbox, sandbox_graph):
    sample = load_event("graph/messageRule-update-response.json")
    response = sandbox_graph.patch(f"{RULES}/AQAAAJ5dZqA=", json=load_event("graph/messageRule-update-request.json"))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == set(sample)
    assert body["displayName"] == "Important from partner" and body["actions"] == {"markImportance": "high"}
    assert body["@odata.context"].endswith("messageRules/$entity")
    rule = next(rule for rule in sandbox.user(ADELE)["inboxRules"] if rule["id"] == "AQAAAJ5dZqA=")
    assert rule["actions"] == {"markImportance": "high"}


def test_disabling_a_rule_keeps_it(sandbox, sandbox_graph):
    body = sandbox_graph.patch(f"{RULES}/AQAAAJ5dZqA=", json={"isEnabled": False}).json()
    assert body["isEnabled"] is False and "forwardTo" in body["actions"]
    assert sandbox_graph.get(f"{RULES}/AQAAAJ5dZqA=").json()["isEnabled"] is False


def test_delete_is_204_and_removes_the_rule(sandbox, sandbox_graph):
    assert sandbox_graph.delete(f"{RULES}/AQAAAJ5dZp8=").status_code == 204
    assert [rule["id"] for rule in sandbox_graph.get(RULES).json()["value"]] == ["AQAAAJ5dZqA="]


def test_a_hidden_rule_does_not_exist_for_graph(sandbox_graph):
    response = sandbox_graph.patch(f"{RULES}/AQAAAJ5dZqE=", json={"isEnabled": False})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "ErrorItemNotFound"


def test_a_malformed_rule_id_is_400(sandbox_graph):
    assert sandbox_graph.get(f"{RULES}/not-a-rule-id").json()["error"]["code"] == "ErrorInvalidIdMalformed"


def test_rules_of_an_unknown_mailbox_is_error_invalid_user(sandbox_graph):
    response = sandbox_graph.get("/users/nobody@contoso.com/mailFolders/inbox/messageRules")
    assert response.status_code == 404 and response.json()["error"]["code"] == "ErrorInvalidUser"


def test_update_with_an_unknown_property_is_400(sandbox_graph):
    assert sandbox_graph.patch(f"{RULES}/AQAAAJ5dZqA=", json={"colour": "red"}).status_code == 400


def test_rules_need_mailbox_settings_permission(sandbox, sandbox_graph):
    scenario = sandbox.scenario()
    scenario["permissions"]["withheld"] = ["MailboxSettings.ReadWrite"]
    sandbox.load(scenario)
    assert sandbox_graph.get(RULES).status_code == 403


def test_send_mail_from_the_documented_sample_is_202_and_kept_in_the_outbox(sandbox, sandbox_graph):
    request = load_event("graph/sendMail-request.example1.json")
    response = sandbox_graph.post("/users/secops@contoso.com/sendMail", json=request)
    assert response.status_code == 202 and response.content == b""
    [sent] = sandbox.state()["outbox"]
    assert sent["from"] == "secops@contoso.com" and sent["message"]["subject"] == "Meet for lunch?"
    assert sent["recipients"] == ["fannyd@contoso.onmicrosoft.com", "danas@contoso.onmicrosoft.com"]
    assert sent["saveToSentItems"] is False and sent["restricted"] is False


def test_send_mail_from_a_restricted_sender_is_accepted_but_marked(sandbox, sandbox_graph):
    sandbox_graph.post(f"/users/{ADELE}/sendMail", json=load_event("graph/sendMail-request.example1.json"))
    assert sandbox.state()["outbox"][0]["restricted"] is True


def test_send_mail_without_recipients_is_error_invalid_recipients(sandbox, sandbox_graph):
    request = load_event("graph/sendMail-request.example1.json")
    del request["message"]["toRecipients"], request["message"]["ccRecipients"]
    response = sandbox_graph.post("/users/secops@contoso.com/sendMail", json=request)
    assert response.status_code == 400 and response.json()["error"]["code"] == "ErrorInvalidRecipients"
    assert sandbox.state()["outbox"] == []


def test_send_mail_without_a_message_is_400(sandbox_graph):
    response = sandbox_graph.post("/users/secops@contoso.com/sendMail", json={"saveToSentItems": False})
    assert response.status_code == 400 and response.json()["error"]["code"] == "ErrorInvalidParameter"


def test_send_mail_parameters_match_in_any_case_as_msgraph_sdk_sends_them(sandbox, sandbox_graph):
    body = {"Message": {"@odata.type": "#microsoft.graph.message", "subject": "Summary",
                        "toRecipients": [{"emailAddress": {"address": "soc@contoso.com"}}]}, "SaveToSentItems": False}
    assert sandbox_graph.post("/users/secops@contoso.com/sendMail", json=body).status_code == 202
    [sent] = sandbox.state()["outbox"]
    assert sent["recipients"] == ["soc@contoso.com"] and sent["saveToSentItems"] is False
