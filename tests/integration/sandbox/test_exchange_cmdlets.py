"""The sandbox's Exchange admin API, cmdlet by cmdlet, over HTTP as the ExchangeOnlineManagement module calls it."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from localdev.tenant import scenario as scenarios
from localdev.tenant.state import rule_identity
from tests.conftest import load_event
from tests.plugins.sandbox import TEST_SCENARIO
from tests.polling import wait_for

ADELE = "adele@contoso.com"
CAPTURE = "exchange/invokecommand-capture-get-mailbox.elided.txt"


@pytest.fixture
def exchange(sandbox):
    with httpx.Client(base_url=f"{sandbox.url}/adminapi/beta/{sandbox.tenant_id}", timeout=10) as client:
        yield client


def run(exchange: httpx.Client, cmdlet: str, **parameters) -> list[dict]:
    """Run a cmdlet that must succeed; its `value`."""
    response = exchange.post("/InvokeCommand", json={"CmdletInput": {"CmdletName": cmdlet, "Parameters": parameters}})
    assert response.status_code == 200, response.text
    return response.json()["value"]


def captured_get_mailbox() -> tuple[dict, dict]:
    """The request and response bodies of the captured Get-Mailbox round trip (comments stripped)."""
    text = load_event(CAPTURE)
    request = json.loads(next(line for line in text.splitlines() if line.startswith('{"CmdletInput"')))
    response = json.loads(re.sub(r"/\*.*?\*/", "", text[text.index('{"@odata.context"'):]))
    return request, response


# Get-Mailbox / Set-Mailbox ----------------------------------------------------------------------
def test_get_mailbox_from_the_captured_request_answers_in_the_captured_shape(sandbox):
    request, sample = captured_get_mailbox()
    request["CmdletInput"]["Parameters"]["Identity"] = ADELE
    headers = {"X-Prefer": "odata.maxpagesize=1000", "X-ResponseFormat": "json", "Accept": "application/json"}
    response = httpx.post(f"{sandbox.url}/adminapi/beta/contoso.onmicrosoft.com/InvokeCommand", json=request,
                          headers=headers)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json;odata.metadata=minimal")
    body = response.json()
    assert set(body) == set(sample)
    assert body["@odata.context"].endswith(
        "/adminapi/beta/contoso.onmicrosoft.com/$metadata#Collection(Exchange.GenericHashTable)")
    mailbox, captured = body["value"][0], sample["value"][0]
    assert set(captured) <= set(mailbox)
    annotations = {name: value for name, value in captured.items() if "@" in name}
    assert {name: mailbox[name] for name in annotations} == annotations
    assert mailbox["WhenMailboxCreated"].endswith(".0000000+00:00")
    assert (mailbox["UserPrincipalName"], mailbox["PrimarySmtpAddress"]) == (ADELE, ADELE)
    assert mailbox["ExternalDirectoryObjectId"] == "5f1c7a2e-3b4d-4e8f-9a01-2b3c4d5e6f70"
    assert mailbox["ForwardingSmtpAddress"] == "smtp:adele.vance.backup@mailbox.example"
    assert (mailbox["ForwardingAddress"], mailbox["DeliverToMailboxAndForward"], mailbox["IsDirSynced"]) == \
        (None, True, False)


def test_get_mailbox_resolves_alias_and_object_id_and_reports_dir_sync(exchange):
    assert run(exchange, "Get-Mailbox", Identity="lee")[0]["IsDirSynced"] is True
    by_id = run(exchange, "Get-Mailbox", Identity="4d6e8f0a-2b4c-4d6e-9f0a-1b2c3d4e5f6a")[0]
    assert (by_id["UserPrincipalName"], by_id["ForwardingAddress"]) == ("alex@contoso.com", "Megan Bowen")


def test_set_mailbox_with_nulls_clears_all_three_forwarding_fields(sandbox, exchange):
    value = run(exchange, "Set-Mailbox", Identity=ADELE, ForwardingSmtpAddress=None, ForwardingAddress=None,
                DeliverToMailboxAndForward=False)
    assert value == []
    mailbox = run(exchange, "Get-Mailbox", Identity=ADELE)[0]
    assert (mailbox["ForwardingSmtpAddress"], mailbox["ForwardingAddress"], mailbox["DeliverToMailboxAndForward"]) == \
        (None, None, False)
    assert sandbox.user(ADELE)["mailbox"] == {"ForwardingSmtpAddress": None, "ForwardingAddress": None,
                                              "DeliverToMailboxAndForward": False,
                                              "SmtpClientAuthenticationDisabled": False, "PopEnabled": True,
                                              "ImapEnabled": True}


def test_set_mailbox_stores_an_smtp_address_with_exchanges_prefix(exchange):
    run(exchange, "Set-Mailbox", Identity="megan@contoso.com", ForwardingSmtpAddress="copy@mailbox.example")
    assert run(exchange, "Get-Mailbox", Identity="megan")[0]["ForwardingSmtpAddress"] == "smtp:copy@mailbox.example"


# Get-BlockedSenderAddress / Remove-BlockedSenderAddress -----------------------------------------------
def test_get_blocked_sender_address_lists_every_block_with_exchanges_fields(exchange):
    value = run(exchange, "Get-BlockedSenderAddress")
    assert len(value) == 5
    assert set(value[0]) == {"SenderAddress", "Reason", "CreatedDatetime@data.type", "CreatedDatetime",
                             "ChangedDatetime@data.type", "ChangedDatetime", "TemporaryBlock"}
    alex = next(entry for entry in value if entry["SenderAddress"] == "alex@contoso.com")
    assert alex["TemporaryBlock"] is True and alex["CreatedDatetime@data.type"] == "System.DateTime"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+00:00", alex["CreatedDatetime"])


def test_get_blocked_sender_address_filters_by_sender_in_any_case(exchange):
    found = run(exchange, "Get-BlockedSenderAddress", SenderAddress="ADELE@contoso.com")
    assert [entry["SenderAddress"] for entry in found] == [ADELE]
    assert run(exchange, "Get-BlockedSenderAddress", SenderAddress="megan@contoso.com") == []


def test_remove_blocked_sender_address_unblocks_and_counts(sandbox, exchange):
    assert run(exchange, "Remove-BlockedSenderAddress", SenderAddress=ADELE, Reason="OutboundSpam") == []
    assert run(exchange, "Get-BlockedSenderAddress", SenderAddress=ADELE) == []
    assert sandbox.state()["unblocks"] == {ADELE: 1}


def test_an_entry_stays_listed_for_the_release_delay_after_a_remove(sandbox, exchange):
    scenario = scenarios.read(TEST_SCENARIO)
    scenario["exchange"]["releaseDelaySeconds"] = 1
    sandbox.load(scenario)
    run(exchange, "Remove-BlockedSenderAddress", SenderAddress=ADELE)
    assert len(run(exchange, "Get-BlockedSenderAddress", SenderAddress=ADELE)) == 1
    wait_for(lambda: not run(exchange, "Get-BlockedSenderAddress", SenderAddress=ADELE), 5, "the release")


# Get-InboxRule / Disable-InboxRule ------------------------------------------------------------------
def test_get_inbox_rule_hides_hidden_rules_unless_include_hidden(exchange):
    visible = run(exchange, "Get-InboxRule", Mailbox=ADELE)
    everything = run(exchange, "Get-InboxRule", Mailbox=ADELE, IncludeHidden=True)
    assert [rule["RuleIdentity"] for rule in visible] == [rule_identity("AQAAAJ5dZp8="), rule_identity("AQAAAJ5dZqA=")]
    assert [rule["Name"] for rule in everything] == ["Team updates", ".", ".."]


def test_get_inbox_rule_renders_rules_in_exchanges_shape(exchange):
    forward, hidden = run(exchange, "Get-InboxRule", Mailbox=ADELE, IncludeHidden=True)[1:]
    assert forward["Identity"] == f"adele\\{forward['RuleIdentity']}"
    assert forward["ForwardTo"] == ['"Adele" [SMTP:adele.vance.backup@mailbox.example]']
    assert forward["ForwardTo@odata.type"] == "#Collection(String)"
    assert (forward["Enabled"], forward["Priority"], forward["RedirectTo"], forward["DeleteMessage"]) == \
        (True, 2, None, False)
    assert hidden["MoveToFolder"] == "adele:\\RSS Feeds" and hidden["MarkAsRead"] is True
    assert hidden["SubjectOrBodyContainsWords"] == ["invoice", "payment", "wire transfer"]
    assert hidden["Description"].startswith("If the message:\r\n\tincludes 'invoice' or 'payment' or 'wire transfer'")
    assert "move the message to folder 'adele:\\RSS Feeds'" in hidden["Description"]


def test_get_inbox_rule_names_recipients_of_the_organization_by_legacy_dn(exchange):
    rule = run(exchange, "Get-InboxRule", Mailbox="alex@contoso.com")[0]
    assert re.fullmatch(r'"Megan Bowen" \[EX:/o=ExchangeLabs/ou=Exchange Administrative Group \(FYDIBOHF23SPDLT\)'
                        r'/cn=Recipients/cn=[0-9a-f]{32}-megan\]', rule["ForwardTo"][0])


@pytest.mark.parametrize("identity", [rule_identity("AQAAAJ5dZqE="), "..", f"adele\\{rule_identity('AQAAAJ5dZqE=')}"])
def test_disable_inbox_rule_disables_the_one_stored_rule_idempotently(sandbox, exchange, identity):
    mailbox = {} if "\\" in identity else {"Mailbox": ADELE}
    for _ in range(2):   # disabling a disabled rule succeeds
        assert run(exchange, "Disable-InboxRule", Identity=identity, Confirm=False, **mailbox) == []
    rules = {rule["id"]: rule for rule in sandbox.user(ADELE)["inboxRules"]}
    assert rules["AQAAAJ5dZqE="]["isEnabled"] is False and rules["AQAAAJ5dZqA="]["isEnabled"] is True
    assert run(exchange, "Get-InboxRule", Mailbox=ADELE, IncludeHidden=True)[2]["Enabled"] is False


def test_a_rule_disabled_through_exchange_is_disabled_in_graph(sandbox, exchange):
    run(exchange, "Disable-InboxRule", Mailbox=ADELE, Identity=rule_identity("AQAAAJ5dZqA="))
    rule = httpx.get(f"{sandbox.url}/v1.0/users/{ADELE}/mailFolders/inbox/messageRules/AQAAAJ5dZqA=").json()
    assert rule["isEnabled"] is False


# Control calls that change Exchange-side state ---------------------------------------------------------
def test_a_block_added_by_control_call_is_listed(sandbox, exchange):
    sandbox.control("POST", "blocks", {"sender": "megan@contoso.com", "createdDatetime": "2026-01-05T10:00:00Z"})
    entry = run(exchange, "Get-BlockedSenderAddress", SenderAddress="megan@contoso.com")[0]
    assert entry["CreatedDatetime"] == "2026-01-05T10:00:00.0000000+00:00"
    assert entry["Reason"].startswith("OutboundSpamLast24Hours=") and entry["TemporaryBlock"] is False


def test_a_hidden_rule_added_by_control_call_is_seen_only_by_exchange(sandbox, exchange):
    rule = {"displayName": "x", "hidden": True,
            "actions": {"redirectTo": [{"emailAddress": {"address": "drop@mailbox.example"}}]}}
    stored = sandbox.control("POST", "users/megan@contoso.com/inbox-rules", rule).json()
    names = [entry["Name"] for entry in run(exchange, "Get-InboxRule", Mailbox="megan", IncludeHidden=True)]
    graph = httpx.get(f"{sandbox.url}/v1.0/users/megan@contoso.com/mailFolders/inbox/messageRules").json()["value"]
    assert names == ["Receipts", "x"] and stored["id"] not in [entry["id"] for entry in graph]


def test_mailbox_forwarding_set_by_control_call_shows_in_get_mailbox(sandbox, exchange):
    sandbox.control("PUT", "users/megan@contoso.com/mailbox",
                    {"ForwardingSmtpAddress": "out@mailbox.example", "DeliverToMailboxAndForward": True})
    mailbox = run(exchange, "Get-Mailbox", Identity="megan@contoso.com")[0]
    assert (mailbox["ForwardingSmtpAddress"], mailbox["DeliverToMailboxAndForward"]) == \
        ("smtp:out@mailbox.example", True)


@pytest.mark.parametrize("method, path, body, status", [
    ("POST", "blocks", {"sender": "not-an-address"}, 400),
    ("POST", "blocks", [1, 2], 400),
    ("POST", "users/nobody@contoso.com/inbox-rules", {"displayName": "x"}, 404),
    ("POST", "users/adele@contoso.com/inbox-rules", {"id": "AQAAAJ5dZp8="}, 409),
    ("POST", "users/adele@contoso.com/inbox-rules/AQAAAAAAAAA=/enable", None, 404),
    ("PUT", "users/adele@contoso.com/mailbox", {"ForwardingTo": "x@mailbox.example"}, 400),
    ("POST", "alerts/restricted-sender", {"user": "nobody@contoso.com"}, 404),
])
def test_control_calls_refuse_what_they_cannot_do(sandbox, method, path, body, status):
    response = httpx.request(method, f"{sandbox.url}/_sandbox/{path}", json=body)
    assert response.status_code == status and "error" in response.json()
