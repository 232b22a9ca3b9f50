"""Classifying inbox rules (read from Graph's and Exchange's shapes by the gateways), and joining the two views."""

from __future__ import annotations

import pytest

from remediation.gateways import exchange_shapes, graph_shapes
from remediation.rules import (
    EXTERNAL_FORWARD, HIDES_MAIL, INTERNAL_FORWARD, ORDINARY, SYSTEM, UNRESOLVED, Domains, classify, folder_name,
)
from remediation.rules import merge as merge_rules
from tests.unit.fakes import EVIL, graph_rule_id, rule, to

DOMAINS = Domains(["contoso.com", "contoso.onmicrosoft.com"])


def merge(graph_rules: list[dict], exchange_rules: list[dict]):
    """Rules in the services' shapes, read as the gateways read them, then joined."""
    return merge_rules([graph_shapes.inbox_rule(item) for item in graph_rules],
                       [exchange_shapes.inbox_rule(item) for item in exchange_rules])


def judge(graph_rule: dict) -> tuple[str, str]:
    [merged] = merge([graph_rule], [])
    verdict = classify(merged, DOMAINS)
    return verdict.kind, verdict.reason


def judge_exchange(exchange_rule: dict) -> tuple[str, str]:
    verdict = classify_exchange(exchange_rule)
    return verdict.kind, verdict.reason


def classify_exchange(exchange_rule: dict):
    [merged] = merge([], [{"Name": "r", "RuleIdentity": "1", "Enabled": True, **exchange_rule}])
    return classify(merged, DOMAINS)


MEGAN_EX = '"Megan" [EX:/o=ExchangeLabs/ou=Exchange/cn=Recipients/cn=megan]'


@pytest.mark.parametrize("action, verb", [("forwardTo", "forwards to"), ("redirectTo", "redirects to"),
                                          ("forwardAsAttachmentTo", "forwards as attachment to")])
def test_forwarding_outside_the_tenant_is_external(action, verb):
    assert judge(rule(1, "x", **{action: to(EVIL)})) == (EXTERNAL_FORWARD, f"{verb} {EVIL} (outside the tenant)")


def test_forwarding_inside_the_tenant_is_reported_only():
    kind, reason = judge(rule(1, "x", forwardTo=to("Megan@Contoso.com", "ops@contoso.onmicrosoft.com")))
    assert kind == INTERNAL_FORWARD and "inside the tenant" in reason


def test_a_subdomain_of_a_tenant_domain_is_outside_unless_it_is_a_tenant_domain():
    assert judge(rule(1, "x", forwardTo=to("a@mail.contoso.com")))[0] == EXTERNAL_FORWARD


def test_one_external_recipient_among_internal_ones_makes_it_external():
    kind, reason = judge(rule(1, "x", forwardTo=to("megan@contoso.com", EVIL)))
    assert kind == EXTERNAL_FORWARD and "megan" not in reason


@pytest.mark.parametrize("actions, reason", [
    ({"delete": True}, "deletes mail"),
    ({"permanentDelete": True}, "deletes mail"),
    ({"moveToFolder": "rssfeeds"}, "moves mail to rssfeeds"),
    ({"moveToFolder": "archive"}, "moves mail to archive"),
    ({"markAsRead": True}, "marks mail as read and does nothing else"),
    ({"markAsRead": True, "stopProcessingRules": True}, "marks mail as read and does nothing else"),
])
def test_rules_that_hide_mail(actions, reason):
    assert judge(rule(1, "x", **actions)) == (HIDES_MAIL, reason)


@pytest.mark.parametrize("actions, note", [
    ({"markAsRead": True, "moveToFolder": "AAMkADnewsletters"}, "moves mail to AAMkADnewsletters and marks it as read"),
    ({"moveToFolder": "AAMkADnewsletters", "stopProcessingRules": True},
     "moves mail to AAMkADnewsletters and stops processing other rules"),
    ({"moveToFolder": "AAMkADnewsletters", "markAsRead": True, "assignCategories": ["News"]},
     "moves mail to AAMkADnewsletters and marks it as read"),
])
def test_a_visible_rule_moving_mail_out_of_sight_is_reported_not_disabled(actions, note):
    # Many owners file newsletters this way; the issue names the folders that hide mail. A hidden
    # rule doing the same is disabled (test_exchange_moves_with_mark_as_read_or_stop_processing_...).
    [merged] = merge([rule(1, "x", **actions)], [])
    verdict = classify(merged, DOMAINS)
    assert verdict.kind == ORDINARY
    assert verdict.notes == (f"{note}: check it is the owner's own rule",)


@pytest.mark.parametrize("folder", ["RSS Feeds", "RSS Subscriptions", "Archive", "Conversation History",
                                    "Junk Email", "Deleted Items"])
def test_exchange_folder_names_that_hide_mail(folder):
    kind, reason = judge_exchange({"Name": "r", "RuleIdentity": "7", "Enabled": True,
                                   "MoveToFolder": f"adele:\\{folder}"})
    assert (kind, reason) == (HIDES_MAIL, f"moves mail to {folder}")


@pytest.mark.parametrize("actions", [{"markAsRead": True, "assignCategories": ["News"]},
                                     {"moveToFolder": "AAMkADnewsletters"},
                                     {"moveToFolder": "AAMkADnewsletters", "stopProcessingRules": False},
                                     {"copyToFolder": "AAMkADnewsletters", "stopProcessingRules": True}, {}])
def test_ordinary_rules(actions):
    assert judge(rule(1, "x", **actions))[0] == ORDINARY


def test_exchange_moves_with_mark_as_read_or_stop_processing_hide_mail_whatever_the_folder():
    assert judge_exchange({"MoveToFolder": "adele:\\Newsletters", "StopProcessingRules": True}) == (
        HIDES_MAIL, "moves mail to Newsletters and stops processing other rules")
    assert judge_exchange({"MoveToFolder": "adele:\\Newsletters", "MarkAsRead": "True"}) == (
        HIDES_MAIL, "moves mail to Newsletters and marks it as read")
    assert judge_exchange({"MoveToFolder": "adele:\\Newsletters", "StopProcessingRules": False})[0] == ORDINARY


SYSTEM_NAMES = ["Junk E-Mail Rule", "Microsoft.Exchange.OOF.KnownSenders.Rule",
                "Microsoft.Exchange.OOF.AllExternalSenders.Rule"]


@pytest.mark.parametrize("name", SYSTEM_NAMES)
def test_system_rules_that_forward_nothing_outside_and_hide_nothing_are_left_alone(name):
    assert judge_exchange({"Name": name, "RuleIdentity": "9"}) == (SYSTEM, "system rule, left alone")


@pytest.mark.parametrize("name", SYSTEM_NAMES)
@pytest.mark.parametrize("actions, kind", [
    ({"ForwardTo": [f'"x" [SMTP:{EVIL}]']}, EXTERNAL_FORWARD), ({"RedirectTo": [EVIL]}, EXTERNAL_FORWARD),
    ({"DeleteMessage": True}, HIDES_MAIL), ({"MoveToFolder": "adele:\\RSS Feeds"}, HIDES_MAIL),
    ({"MarkAsRead": True}, HIDES_MAIL), ({"ForwardTo": [MEGAN_EX]}, INTERNAL_FORWARD),
])
def test_a_system_rules_name_spares_no_rule_that_forwards_or_hides(name, actions, kind):
    assert judge_exchange({"Name": name, "RuleIdentity": "9", **actions})[0] == kind


def test_the_junk_rule_moving_mail_to_junk_email_is_the_system_at_work_but_not_when_it_does_more():
    junk = {"Name": "Junk E-Mail Rule", "RuleIdentity": "9", "MoveToFolder": "adele:\\Junk Email"}
    assert judge_exchange(junk)[0] == SYSTEM
    assert judge_exchange({**junk, "MarkAsRead": True})[0] == HIDES_MAIL
    assert judge_exchange({**junk, "Name": "Microsoft.Exchange.OOF.KnownSenders.Rule"})[0] == HIDES_MAIL
    assert judge(rule(9, "Junk E-Mail Rule", moveToFolder="junkemail"))[0] == HIDES_MAIL   # visible: not the real one


def test_exchange_recipients_in_its_own_notation():
    assert judge_exchange({"Name": "r", "RuleIdentity": "1", "RedirectTo": [f'"Evil" [SMTP:{EVIL}]']}) == (
        EXTERNAL_FORWARD, f"redirects to {EVIL} (outside the tenant)")
    assert judge_exchange({"ForwardTo": [MEGAN_EX]}) == (INTERNAL_FORWARD, f"forwards to {MEGAN_EX} ({UNRESOLVED})")
    assert judge_exchange({"Name": "r", "RuleIdentity": "1", "ForwardTo": [EVIL]})[0] == EXTERNAL_FORWARD


def test_an_unresolved_exchange_recipient_is_reported_beside_another_verdict():
    verdict = classify_exchange({"ForwardTo": [MEGAN_EX], "RedirectTo": [EVIL]})
    assert (verdict.kind, verdict.reason) == (EXTERNAL_FORWARD, f"redirects to {EVIL} (outside the tenant)")
    assert verdict.notes == (f"forwards to {MEGAN_EX} ({UNRESOLVED})",)
    assert verdict.detail == f"redirects to {EVIL} (outside the tenant); forwards to {MEGAN_EX} ({UNRESOLVED})"


@pytest.mark.parametrize("value, addresses", [
    (f'"Evil" [SMTP:{EVIL}]', [EVIL]),
    (EVIL, [EVIL]),
    (f'"Evil, Inc." [SMTP:{EVIL}], {MEGAN_EX}', [EVIL, MEGAN_EX]),
    (f"{EVIL}; other@evil.example", [EVIL, "other@evil.example"]),
])
def test_a_recipient_property_given_as_one_string_is_not_split_into_characters(value, addresses):
    [merged] = merge([], [{"Name": "r", "RuleIdentity": "1", "ForwardTo": value}])
    assert [recipient.address for recipient in merged.recipients] == addresses
    assert classify(merged, DOMAINS).kind == EXTERNAL_FORWARD


@pytest.mark.parametrize("numbers", ["+15551234567", ["+15551234567"]])
def test_text_message_notifications_are_reported_whatever_the_verdict(numbers):
    verdict = classify_exchange({"SendTextMessageNotificationTo": numbers})
    assert (verdict.kind, verdict.notes) == (ORDINARY, ("sends text message notifications to +15551234567",))
    joined = merge([rule(1, "r")], [{"Name": "r", "RuleIdentity": "1", "SendTextMessageNotificationTo": numbers}])
    assert classify(joined[0], DOMAINS).notes == ("sends text message notifications to +15551234567",)


def test_exchange_booleans_are_read_leniently():
    assert judge_exchange({"Name": "r", "RuleIdentity": "1", "DeleteMessage": "True"})[0] == HIDES_MAIL
    assert judge_exchange({"Name": "r", "RuleIdentity": "1", "DeleteMessage": "False"})[0] == ORDINARY


def test_a_rule_only_exchange_lists_is_hidden_and_joined_ones_take_exchanges_folder_name():
    graph = [rule(1, "visible", moveToFolder="AAMkAD-archive-id")]
    exchange = [{"Name": "visible", "RuleIdentity": 1, "Enabled": True, "MoveToFolder": "adele:\\Archive"},
                {"Name": "hidden", "RuleIdentity": "99", "Enabled": True, "DeleteMessage": True}]
    visible, hidden = merge(graph, exchange)
    assert (visible.hidden, visible.id, visible.identity, visible.move_to) == (
        False, graph_rule_id(1), "1", "adele:\\Archive")
    assert classify(visible, DOMAINS).kind == HIDES_MAIL
    assert (hidden.hidden, hidden.id, hidden.identity) == (True, None, "99")


def test_rules_are_matched_by_name_when_identities_do_not_match():
    graph = [{**rule(1, "only name matches"), "id": "opaque-id"}]
    exchange = [{"Name": "only name matches", "RuleIdentity": "5", "Enabled": True}]
    [joined] = merge(graph, exchange)
    assert not joined.hidden and joined.identity == "5" and joined.id == "opaque-id"


def test_folder_names_from_paths():
    assert folder_name("adele:\\RSS Feeds") == "RSS Feeds"
    assert folder_name("\\Archive") == "Archive"
    assert folder_name("Junk Email") == "Junk Email"
