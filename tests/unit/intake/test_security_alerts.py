"""Graph security alerts_v2: the documented list response and evidence resources, read as the Graph
gateway reads them (graph_shapes.security_alert)."""

from __future__ import annotations

import copy

from remediation.gateways.graph_shapes import security_alert
from remediation.intake import AlertedUser
from remediation.intake import security_alert_users as alert_users
from tests.conftest import load_event

ALERT_NAME = "User restricted from sending email"
ALERT_ID = "da637551227677560813_-961444813"


def security_alert_users(alerts: list[dict], alert_name: str) -> list[AlertedUser]:
    return alert_users([security_alert(alert) for alert in alerts], alert_name)


def evidence(name: str, **values) -> dict:
    """A documented evidence template (type names as values), filled in."""
    return {**load_event(f"intake/graph-security/{name}.resource.template.json"), **values}


def restricted_sender_alert() -> dict:
    """The documented alert (an MDE one) adapted: our title and a user's and a mailbox's evidence,
    since no documented alerts_v2 sample exists for this alert."""
    alert = copy.deepcopy(load_event("intake/graph-security/alerts_v2-list.response.json")["value"][0])
    account = evidence("userAccount", userPrincipalName="mallory@contoso.com", azureAdUserId="9a1b")
    alert["title"] = ALERT_NAME
    alert["serviceSource"] = "microsoftDefenderForOffice365"
    alert["evidence"] += [evidence("userEvidence", userAccount=account),
                          evidence("mailboxEvidence", primaryAddress="Mallory@contoso.com", upn="mallory@contoso.com",
                                   userAccount=account),
                          evidence("mailboxEvidence", primaryAddress="", upn="bob@contoso.com")]
    return alert


def test_the_documented_alert_is_not_ours():
    alerts = load_event("intake/graph-security/alerts_v2-list.response.json")["value"]
    assert security_alert_users(alerts, ALERT_NAME) == []


def test_user_and_mailbox_evidence_name_the_users_once():
    # The documented processEvidence carries a userAccount (SYSTEM) that is no user to remediate.
    assert security_alert_users([restricted_sender_alert()], ALERT_NAME) == [
        AlertedUser("mallory@contoso.com", ALERT_ID), AlertedUser("bob@contoso.com", ALERT_ID)]


def test_an_alert_without_evidence_names_nobody():
    alert = {**restricted_sender_alert(), "evidence": None}
    assert security_alert_users([alert], ALERT_NAME) == []
