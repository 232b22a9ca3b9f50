"""POST /api/alerts/o365: validation, AuthID, tenant and host checks; exactly 200 when accepted."""

from __future__ import annotations

import re

from handlers.alerts_o365 import alerts_o365
from remediation.errors import ThrottledError
from tests.conftest import load_event
from tests.plugins.app import MAX_REQUEST_BYTES, TENANT, WEBHOOK_AUTH_ID
from tests.unit.handlers.calls import http_request, problem_of

AUTH = {"Webhook-AuthID": WEBHOOK_AUTH_ID}
DOCUMENTED_TENANT = "f28ab78a-d401-4060-8012-736e373933eb"


def notification(**changes) -> list[dict]:
    """The documented notification for our tenant (its `{GUID}` placeholder and the tenant of its
    contentUri filled in)."""
    template = load_event("o365/08-webhook-notification.request.template.json")
    return [{**item, "tenantId": TENANT, "contentUri": item["contentUri"].replace(DOCUMENTED_TENANT, TENANT),
             **changes} for item in template]


def post(body: object = None, headers: dict | None = None, raw: bytes | None = None):
    return alerts_o365(http_request("POST", "/api/alerts/o365", body=body, raw=raw,
                                    headers=AUTH if headers is None else headers))


async def test_the_validation_request_is_answered_200(fake):
    body = load_event("o365/03-webhook-validation.request.template.json")
    response = await post(body, {**AUTH, "Webhook-ValidationCode": body["validationCode"]})
    assert response.status_code == 200 and response.get_body() == b""
    assert fake.calls == []


async def test_a_validation_code_in_the_body_alone_is_a_validation_request(fake):
    assert (await post({"validationCode": "opaque"})).status_code == 200
    assert fake.content == []


async def test_a_validation_request_with_a_wrong_auth_id_is_refused(fake):
    response = await post({"validationCode": "opaque"}, {"Webhook-AuthID": "guess", "Webhook-ValidationCode": "opaque"})
    assert response.status_code == 401


async def test_a_notification_is_answered_exactly_200_and_enqueues_one_fetch_per_content(fake):
    items = notification() + notification(
        contentId="second", contentUri=f"https://manage.office.com/api/v1.0/{TENANT}/activity/feed/audit/2")
    response = await post(items)
    assert response.status_code == 200
    assert [item["contentId"] for item in fake.content] == [items[0]["contentId"], "second"]
    assert fake.content[0]["contentUri"] == items[0]["contentUri"]


async def test_a_repeated_notification_is_still_200(fake):
    assert (await post(notification())).status_code == 200
    assert (await post(notification())).status_code == 200
    assert len(fake.content) == 1


async def test_a_wrong_or_missing_auth_id_is_401_and_enqueues_nothing(fake):
    for headers in ({"Webhook-AuthID": "o365activityapinotificatioN"}, {}):
        response = await post(notification(), headers)
        assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"
        assert problem_of(response)["title"] == "Unauthorized"
    assert fake.calls == []


async def test_another_tenant_is_403_and_enqueues_nothing(fake):
    response = await post(notification(tenantId="11111111-2222-3333-4444-555555555555"))
    assert response.status_code == 403 and "tenant" in problem_of(response)["detail"]
    assert fake.calls == []


async def test_the_tenant_is_compared_case_insensitively(fake):
    assert (await post(notification(tenantId=TENANT.upper()))).status_code == 200


async def test_a_foreign_content_uri_is_403_and_enqueues_nothing(fake):
    assert (await post(notification(contentId="evil", contentUri="https://attacker.example/feed"))).status_code == 403
    assert fake.calls == []


async def test_bad_items_beside_good_ones_are_logged_and_skipped_and_the_answer_is_exactly_200(fake, caplog):
    [good] = notification()
    items = [{**good, "contentId": "evil", "contentUri": "https://attacker.example/feed"},
             {**good, "contentId": "elsewhere", "tenantId": "11111111-2222-3333-4444-555555555555"},
             {"contentId": "no uri"}, good]
    response = await post(items)
    assert response.status_code == 200 and response.get_body() == b""
    assert [item["contentId"] for item in fake.content] == [good["contentId"]]
    skipped = [record for record in caplog.records if "skipped an item" in record.getMessage()]
    assert [(record.levelname, re.search(r"\((\d+)\)", record.getMessage()).group(1)) for record in skipped] == [
        ("WARNING", "403"), ("WARNING", "403"), ("WARNING", "400")]


async def test_a_notification_of_only_malformed_items_is_400_and_enqueues_nothing(fake):
    response = await post([{"contentId": "x"}, "y"])
    assert response.status_code == 400 and "contentUri" in problem_of(response)["detail"]
    assert fake.calls == []


async def test_malformed_json_is_400(fake):
    response = await post(raw=b"[{")
    assert response.status_code == 400 and "JSON" in problem_of(response)["detail"]


async def test_a_body_over_the_limit_is_413(fake):
    items = notification() * (MAX_REQUEST_BYTES // 300)
    assert (await post(items)).status_code == 413
    assert fake.calls == []


async def test_storage_throttling_is_503_so_the_management_api_retries(fake):
    fake.failure = ThrottledError("queue busy", retry_after=2.4)
    response = await post(notification())
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
