"""Sentinel incidents forwarded by a playbook: the documented incident trigger body."""

from __future__ import annotations

import copy

import pytest

from remediation.errors import RequestError
from remediation.intake import AlertedUser, sentinel_users
from tests.conftest import load_event

ALERT_NAME = "User restricted from sending email"
INCIDENT_ID = "73e01a99-5cd7-4139-a149-9f2736ff2ab5"


def trigger_body(title: str = f"'{ALERT_NAME}' involving one user") -> dict:
    """The documented trigger body (a demo incident) adapted: our alert's title."""
    body = copy.deepcopy(load_event("intake/sentinel/incident-trigger-body.template.json"))
    body["object"]["properties"]["title"] = title
    return body


def entities(body: dict) -> list[dict]:
    return body["object"]["properties"]["relatedEntities"]


def test_the_documented_incident_is_not_our_alert():
    assert sentinel_users(load_event("intake/sentinel/incident-trigger-body.template.json"), ALERT_NAME) == []


def test_a_matching_incident_names_its_account_and_mailbox():
    # The documented entities: Account administrator / upnSuffix contoso, Mailbox upn "upn1".
    assert sentinel_users(trigger_body(), ALERT_NAME) == [
        AlertedUser("administrator@contoso", INCIDENT_ID), AlertedUser("upn1", INCIDENT_ID)]


def test_an_alert_display_name_matches_too():
    body = trigger_body("Multi-stage incident")
    body["object"]["properties"]["alerts"][0]["properties"]["alertDisplayName"] = ALERT_NAME
    assert len(sentinel_users(body, ALERT_NAME)) == 2


def test_an_account_without_upn_suffix_is_its_entra_object_id():
    body = trigger_body()
    del entities(body)[0]["properties"]["upnSuffix"]
    assert sentinel_users(body, ALERT_NAME)[0] == AlertedUser("f7033626-2572-46b1-bba0-06646f4f95b3", INCIDENT_ID)


def test_a_mailbox_without_upn_is_its_primary_address():
    body = trigger_body()
    del entities(body)[1]["properties"]["upn"]
    assert sentinel_users(body, ALERT_NAME)[1] == AlertedUser("emailAddress1", INCIDENT_ID)


def test_the_incident_itself_is_accepted_without_the_envelope():
    body = trigger_body()
    body["object"]["properties"]["relatedEntities"].append({"kind": "Host", "properties": {"hostName": "vm1"}})
    assert sentinel_users(body["object"], ALERT_NAME) == sentinel_users(trigger_body(), ALERT_NAME)


def test_the_same_user_twice_is_one():
    body = trigger_body()
    entities(body)[1]["properties"]["upn"] = "Administrator@contoso"
    assert len(sentinel_users(body, ALERT_NAME)) == 1


NOT_AN_OBJECT, NO_PROPERTIES = "^a Sentinel incident is a JSON object$", r"^not a Sentinel incident \(no properties\)$"


@pytest.mark.parametrize("payload, reason", [([], NOT_AN_OBJECT), ("incident", NOT_AN_OBJECT),
                                             ({"object": {"name": "x"}}, NO_PROPERTIES),
                                             ({"object": []}, NO_PROPERTIES)])
def test_a_payload_that_is_no_incident_is_a_bad_request(payload, reason):
    with pytest.raises(RequestError, match=reason):
        sentinel_users(payload, ALERT_NAME)
