"""Graph's and Exchange's wire shapes read into the tenant's models (gateways/*_shapes.py)."""

from __future__ import annotations

from datetime import datetime, timezone

from remediation.gateways import exchange_shapes, graph_shapes
from remediation.tenant import EXCHANGE, GRAPH, AuthMethod, RuleRecipient
from tests.conftest import load_event
from tests.unit.fakes import graph_rule_id


def test_rule_identity_is_the_graph_ids_bytes_little_endian():
    rule_identity = graph_shapes.rule_identity
    assert rule_identity("AQAAAJ5dZp8=") == str(int.from_bytes(bytes([1, 0, 0, 0, 0x9E, 0x5D, 0x66, 0x9F]), "little"))
    assert rule_identity(graph_rule_id(12345)) == "12345"
    assert rule_identity("not base64!") is None and rule_identity("AQID") is None


def test_a_documented_message_rule_becomes_a_graph_inbox_rule():
    listed = load_event("graph/messageRules-list-response.json")["value"]
    spam, partner = (graph_shapes.inbox_rule(item) for item in listed)
    assert (spam.source, spam.name, spam.enabled, spam.id, spam.deletes, spam.stops) == (
        GRAPH, "Remove spam", True, "AQAAAJ5dZp8=", True, True)
    assert spam.identity == graph_shapes.rule_identity("AQAAAJ5dZp8=") and not spam.hidden
    assert partner.recipients == (RuleRecipient("forwardTo", "AlexW@contoso.onmicrosoft.com"),)


def test_an_exchange_rule_reads_its_recipients_folders_and_loose_booleans():
    rule = exchange_shapes.inbox_rule({
        "Name": "r", "RuleIdentity": "0012", "Enabled": "False", "DeleteMessage": "True",
        "ForwardTo": '"Evil, Inc." [SMTP:a@evil.example], "Megan" [EX:/o=ExchangeLabs/cn=megan]',
        "RedirectTo": ["b@evil.example"], "MoveToFolder": "adele:\\RSS Feeds", "ApplyCategory": "News",
        "SendTextMessageNotificationTo": "+15551234567"})
    assert (rule.source, rule.identity, rule.enabled, rule.deletes) == (EXCHANGE, "12", False, True)
    assert rule.recipients == (RuleRecipient("forwardTo", "a@evil.example"),
                               RuleRecipient("forwardTo", '"Megan" [EX:/o=ExchangeLabs/cn=megan]', organization=True),
                               RuleRecipient("redirectTo", "b@evil.example"))
    assert (rule.move_to, rule.categories, rule.text_message_to) == ("adele:\\RSS Feeds", ("News",), ("+15551234567",))


def test_auth_methods_take_their_type_date_and_name_from_graph():
    fido, hello = (graph_shapes.auth_method(item)
                   for item in load_event("graph/authentication-methods-list-response.json")["value"])
    assert fido == AuthMethod("-2_GRUg2-HYz6_1YG4YRAQ2", "fido2", "2020-08-10T06:44:09Z", "Red key")
    assert (hello.type, hello.created, hello.label) == ("windowsHelloForBusiness", "2020-11-27T23:12:49Z",
                                                        "Jordan's Surface Book")
    phone = graph_shapes.auth_method({"@odata.type": "#microsoft.graph.phoneAuthenticationMethod", "id": "3179e48a",
                                      "phoneNumber": "+1 2065555555", "phoneType": "mobile"})
    assert (phone.type, phone.created, phone.label) == ("phone", None, "+1 2065555555")


def test_a_security_alert_names_the_users_of_its_user_and_mailbox_evidence():
    alert = graph_shapes.security_alert({
        "id": "da6", "title": "User restricted from sending email", "lastUpdateDateTime": "2026-11-28T07:00:00.12Z",
        "evidence": [{"@odata.type": "#microsoft.graph.security.userEvidence",
                      "userAccount": {"userPrincipalName": "mallory@contoso.com"}},
                     {"@odata.type": "#microsoft.graph.security.mailboxEvidence", "primaryAddress": "",
                      "upn": "bob@contoso.com"},
                     {"@odata.type": "#microsoft.graph.security.processEvidence",
                      "userAccount": {"userPrincipalName": "SYSTEM"}}, "junk"]})
    assert alert.users == ("mallory@contoso.com", "bob@contoso.com")
    assert alert.last_updated == datetime(2026, 11, 28, 7, 0, 0, 120000, tzinfo=timezone.utc)
    assert graph_shapes.security_alert({"id": "x", "lastUpdateDateTime": "soon"}).last_updated is None


def test_a_block_reason_is_parsed_leniently():
    reason = ("ExceedingLimitType=Daily;InternalRecipientCountToday=2;ExternalRecipientCountToday=4000;"
              " OutboundSpam;Last Spam Message MessagetraceId:88569b14")
    assert exchange_shapes.parse_block_reason(reason) == {
        "ExceedingLimitType": "Daily", "InternalRecipientCountToday": "2", "ExternalRecipientCountToday": "4000",
        "OutboundSpam": "", "Last Spam Message MessagetraceId": "88569b14"}
    assert exchange_shapes.parse_block_reason("") == {}
