"""Azure Monitor common alert schema: the documented log search alert (v2) payload."""

from __future__ import annotations

import copy

import pytest

from remediation.errors import RequestError
from remediation.intake import AlertedUser, azure_monitor_users
from tests.conftest import load_event

PAYLOAD = "intake/azure-monitor/common-schema_log-search-alert-v2_full-payload.json"
ALERT_ID = ("/subscriptions/12345a-1234b-123c-123d-12345678e/providers/Microsoft.AlertsManagement/alerts/"
            "12345a-1234b-123c-123d-12345678e")
VM = ("/subscriptions/12345a-1234b-123c-123d-12345678e/resourceGroups/TEST/providers/Microsoft.Compute/"
      "virtualMachines/testvm")


def restricted_sender_payload(user: str = "Mallory@Contoso.com") -> dict:
    """The documented payload (a Heartbeat alert) adapted: a query over the alerts table
    splits by a UserPrincipalName dimension, as our alert rule does."""
    payload = copy.deepcopy(load_event(PAYLOAD))
    payload["data"]["alertContext"]["condition"]["allOf"][0]["dimensions"].append(
        {"name": "UserPrincipalName", "value": user})
    return payload


def test_the_documented_payload_yields_its_dimension():
    assert azure_monitor_users(load_event(PAYLOAD), "ResourceId") == [AlertedUser(VM, ALERT_ID)]


def test_the_documented_payload_names_no_user():
    assert azure_monitor_users(load_event(PAYLOAD), "UserPrincipalName") == []


def test_the_user_dimension_is_found_case_insensitively():
    assert azure_monitor_users(restricted_sender_payload(), "userprincipalname") == [
        AlertedUser("Mallory@Contoso.com", ALERT_ID)]


def test_a_custom_property_names_the_user_too():
    assert azure_monitor_users(load_event(PAYLOAD), "name1") == [AlertedUser("value1", ALERT_ID)]


def test_the_same_user_in_a_dimension_and_a_property_is_one():
    payload = restricted_sender_payload()
    payload["data"]["alertContext"]["properties"]["UserPrincipalName"] = "mallory@contoso.com"
    assert len(azure_monitor_users(payload, "UserPrincipalName")) == 1


def test_a_resolved_alert_starts_nothing():
    payload = restricted_sender_payload()
    payload["data"]["essentials"]["monitorCondition"] = "Resolved"
    assert azure_monitor_users(payload, "UserPrincipalName") == []


@pytest.mark.parametrize("payload", [[], {"schemaId": "azureMonitorCommonAlertSchema"}, {"data": "x"}])
def test_a_payload_without_data_is_a_bad_request(payload):
    with pytest.raises(RequestError, match=r"^not an Azure Monitor common alert schema payload \(no data\)$"):
        azure_monitor_users(payload, "UserPrincipalName")
