"""Office 365 Management Activity API: webhook notifications and Security & Compliance alert records."""

from __future__ import annotations

import json

import pytest

from remediation.errors import ForbiddenError, RequestError
from remediation.intake import AlertedUser, content_notifications, restricted_sender_alerts
from tests.conftest import load_event

TENANT = "b86ab9d4-fcf1-4b11-8a06-7a8f91b47fbd"
MANAGEMENT = "https://manage.office.com"
ALERT_NAME = "User restricted from sending email"
RECORDS = "intake/o365-audit-records/elastic-sec-comp-alerts_{}_ElevationOfExchangeAdminPrivilege.json"
ENTITY_RECORD, TRIGGERED_RECORD = RECORDS.format("AlertEntityGenerated"), RECORDS.format("AlertTriggered")
DOCUMENTED_TENANT = "f28ab78a-d401-4060-8012-736e373933eb"
NOTIFICATION = "o365/08-webhook-notification.request.template.json"


def notification(tenant: str = TENANT) -> list[dict]:
    """The documented notification; its `{GUID}` tenant placeholder and its contentUri's tenant filled in."""
    return [{**item, "tenantId": tenant, "contentUri": item["contentUri"].replace(DOCUMENTED_TENANT, tenant)}
            for item in load_event(NOTIFICATION)]


def restricted_record(**changes) -> dict:
    """The documented alert record (Elastic's sanitized copy) adapted to our alert's name:
    no public record of "User restricted from sending email" exists."""
    return {**load_event(ENTITY_RECORD), "Name": ALERT_NAME, **changes}


def test_a_documented_notification_yields_its_content_pointers():
    [pointer] = content_notifications(notification(), TENANT, MANAGEMENT).pointers
    assert pointer["contentId"].startswith("492638008028$")
    assert pointer["contentUri"].startswith("https://manage.office.com/api/v1.0/")
    assert pointer["tenantId"] == TENANT and pointer["contentType"] == "Audit.SharePoint"


def test_the_tenant_is_compared_case_insensitively():
    assert content_notifications(notification(TENANT.upper()), TENANT, MANAGEMENT).pointers


def test_another_tenant_is_forbidden():
    with pytest.raises(ForbiddenError, match="tenant"):
        content_notifications(notification("00000000-0000-0000-0000-000000000000"), TENANT, MANAGEMENT)


@pytest.mark.parametrize("uri", ["https://attacker.example/api/v1.0/feed/x",
                                 "https://manage.office.com.attacker.example/x",
                                 "file:///etc/passwd", "https://user@attacker.example/x",
                                 "https://manage.office.com/api/v1.0/00000000-0000-0000-0000-000000000000/activity/feed/a",
                                 f"https://manage.office.com/api/v1.0/{TENANT}/activity/feed/../../../../v1.0/users"])
def test_a_content_uri_off_the_management_host_is_forbidden(uri):
    with pytest.raises(ForbiddenError, match="contentUri"):
        content_notifications([{**notification()[0], "contentId": "other", "contentUri": uri}], TENANT, MANAGEMENT)


@pytest.mark.parametrize("bad, forged", [
    ({"contentId": "evil", "contentUri": "https://attacker.example/api/v1.0/feed/x"}, True),
    ({"contentId": "evil", "tenantId": "00000000-0000-0000-0000-000000000000"}, True),
    ({"contentId": "", "contentUri": ""}, False),
])
def test_a_bad_item_beside_good_ones_is_skipped_and_the_good_ones_kept(bad, forged):
    good = notification()[0]
    found = content_notifications([{**good, **bad}, good, "not an item"], TENANT, MANAGEMENT)
    assert [pointer["contentId"] for pointer in found.pointers] == [good["contentId"]]
    assert [isinstance(refusal, ForbiddenError) for refusal in found.refused] == [forged, False]


def test_a_notification_whose_items_are_all_refused_is_forbidden_if_any_was_forged():
    forged = {**notification()[0], "contentUri": "https://attacker.example/x"}
    with pytest.raises(ForbiddenError, match="contentUri"):
        content_notifications([{"contentId": "x"}, forged], TENANT, MANAGEMENT)


def test_an_empty_notification_has_nothing_to_enqueue_or_refuse():
    assert content_notifications([], TENANT, MANAGEMENT) == ([], [])


def test_the_sandbox_host_is_the_management_host_when_configured():
    items = [{**notification()[0], "contentUri": f"http://127.0.0.1:7072/api/v1.0/{TENANT}/activity/feed/audit/1"}]
    assert content_notifications(items, TENANT, "http://127.0.0.1:7072").pointers


@pytest.mark.parametrize("body", [None, {"contentId": "x"}, [{"contentId": "x"}], ["x"],
                                  [{"contentUri": "https://manage.office.com/x"}]])
def test_a_malformed_notification_is_a_bad_request(body):
    with pytest.raises(RequestError, match="notification") as raised:
        content_notifications(body, TENANT, MANAGEMENT)
    assert not isinstance(raised.value, ForbiddenError)


def test_the_documented_record_is_found_under_its_own_name():
    record = load_event(ENTITY_RECORD)
    assert restricted_sender_alerts([record], "Elevation of Exchange admin privilege") == [
        AlertedUser("asr@testsiem.onmicrosoft.com", "5ba6e029-8b6e-13bd-b800-08d7b180173c")]


def test_other_alerts_are_ignored():
    assert restricted_sender_alerts([load_event(ENTITY_RECORD)], ALERT_NAME) == []


def test_a_restricted_sender_record_names_its_user():
    assert restricted_sender_alerts([restricted_record()], ALERT_NAME) == [
        AlertedUser("asr@testsiem.onmicrosoft.com", "5ba6e029-8b6e-13bd-b800-08d7b180173c")]


def test_the_alert_triggered_record_is_not_an_entity():
    record = {**load_event(TRIGGERED_RECORD), "Name": ALERT_NAME}
    assert restricted_sender_alerts([record], ALERT_NAME) == []


def test_the_entity_type_may_come_from_data_only():
    record = restricted_record()
    del record["EntityType"]
    assert restricted_sender_alerts([record], ALERT_NAME)[0].user == "asr@testsiem.onmicrosoft.com"


def test_entities_that_are_not_users_are_ignored():
    data = {**json.loads(restricted_record()["Data"]), "etype": "IP"}
    record = restricted_record(EntityType="IP", ObjectId="203.0.113.7", Data=json.dumps(data))
    assert restricted_sender_alerts([record], ALERT_NAME) == []


def test_records_are_deduplicated_on_alert_id_and_entity():
    first = restricted_record()
    other_user = restricted_record(ObjectId="bob@testsiem.onmicrosoft.com")
    other_alert = restricted_record(AlertId="7d6297b5-e4a7-46f0-3c1e-08d7b1c1fb22")
    found = restricted_sender_alerts([first, first, {**first, "ObjectId": first["ObjectId"].upper()}, other_user,
                                      other_alert], ALERT_NAME)
    assert [(item.user, item.alert_id[:8]) for item in found] == [
        ("asr@testsiem.onmicrosoft.com", "5ba6e029"), ("bob@testsiem.onmicrosoft.com", "5ba6e029"),
        ("asr@testsiem.onmicrosoft.com", "7d6297b5")]


def test_the_documented_content_blob_holds_no_alert():
    records = load_event("o365/10-retrieve-content.response.json")
    assert records and restricted_sender_alerts(records + ["not a record"], ALERT_NAME) == []


def test_unreadable_data_does_not_hide_a_user_entity():
    [found] = restricted_sender_alerts([restricted_record(Data="{not json")], ALERT_NAME)
    assert found.user == "asr@testsiem.onmicrosoft.com"
