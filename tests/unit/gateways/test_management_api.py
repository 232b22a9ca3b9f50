"""The Management Activity API fetcher: only our tenant's feed on the configured host, no redirects."""

from __future__ import annotations

import json

import httpx
import pytest

from remediation.errors import ForbiddenError, NotFoundError, RequestError, ServiceRejectedError, TransientError
from remediation.gateways.management_api import ManagementActivityClient, check_content_uri
from tests.conftest import load_event
from tests.plugins.gateways import TENANT

FEED = f"https://manage.office.com/api/v1.0/{TENANT}/activity/feed"
CONTENT = (f"{FEED}/audit/301299007231$301299007231$41463f53881240f4890f865bf6e35190aad2015062920"
           "$e1c2ab19858a469fb1f1fd097effffc9$04")


@pytest.fixture
def management(connect, cloud_settings):
    return connect(ManagementActivityClient, cloud_settings)


async def test_content_is_fetched_with_a_management_api_token(management, service, credential):
    records = load_event("o365/10-retrieve-content.response.json")
    service.reply(httpx.Response(200, json=records))
    assert await management.fetch_content(CONTENT) == records
    request = service.requests[0]
    assert (request.method, str(request.url)) == ("GET", CONTENT)
    assert request.headers["Authorization"] == "Bearer token-for-https://manage.office.com/.default"
    assert credential.scopes == [("https://manage.office.com/.default",)]


async def test_a_loopback_root_gets_no_token(connect, loopback_settings, service, credential):
    service.reply(httpx.Response(200, json=[]))
    client = connect(ManagementActivityClient, loopback_settings)
    assert await client.fetch_content(f"http://127.0.0.1:8799/api/v1.0/{TENANT}/activity/feed/audit/abc") == []
    assert "Authorization" not in service.requests[0].headers and credential.scopes == []


@pytest.mark.parametrize("uri", [
    f"https://evil.example/api/v1.0/{TENANT}/activity/feed/audit/abc",                  # another host
    f"https://manage.office.com.evil.example/api/v1.0/{TENANT}/activity/feed/audit/abc",
    f"http://manage.office.com/api/v1.0/{TENANT}/activity/feed/audit/abc",              # another scheme
    f"https://manage.office.com:8443/api/v1.0/{TENANT}/activity/feed/audit/abc",        # another port
    f"ftp://manage.office.com/api/v1.0/{TENANT}/activity/feed/audit/abc",
    f"https://attacker@manage.office.com/api/v1.0/{TENANT}/activity/feed/audit/abc",    # userinfo
    "https://manage.office.com/api/v1.0/11111111-2222-3333-4444-555555555555/activity/feed/audit/abc",  # other tenant
    f"https://manage.office.com/api/v1.0/{TENANT}/activity/feed/",                      # no content named
    f"https://manage.office.com/api/v1.0/{TENANT}/activity/feedx/audit/abc",
    f"https://manage.office.com/api/v1/{TENANT}/activity/feed/audit/abc",
    f"https://manage.office.com/api/v1.0/{TENANT}/activity/feed/../../other/activity/feed/audit/abc",
    f"https://manage.office.com/api/v1.0/{TENANT}/activity/feed/%2e%2e/%2e%2e/x",        # encoded traversal
    f"https://manage.office.com/api/v1.0/{TENANT}/activity/feed/audit%2F..%2F..%2Fx",
    f"https://manage.office.com/api/v1.0/{TENANT}%2Factivity/feed/audit/abc",
    "/api/v1.0/{TENANT}/activity/feed/audit/abc",                                        # relative
    "not a url at all", "",
])
async def test_a_content_uri_off_our_feed_is_refused_before_any_request(management, service, uri):
    service.reply(httpx.Response(200, json=[]))
    with pytest.raises(RequestError, match="^management-api: contentUri ") as caught:
        await management.fetch_content(uri)
    assert not isinstance(caught.value, ForbiddenError) and service.requests == []


def test_the_tenant_in_the_path_is_compared_without_case():
    url = check_content_uri(CONTENT.replace(TENANT, TENANT.upper()), "https://manage.office.com", TENANT)
    assert url.host == "manage.office.com"


async def test_a_redirect_is_not_followed(management, service):
    service.reply(httpx.Response(302, headers={"Location": "https://evil.example/steal"}))
    with pytest.raises(ServiceRejectedError, match="evil.example"):
        await management.fetch_content(CONTENT)
    assert [str(request.url) for request in service.requests] == [CONTENT]


async def test_the_services_error_body_is_kept(management, service):
    service.reply(httpx.Response(500, json=load_event("o365/12-error.response.json")))
    with pytest.raises(TransientError, match="An internal server error occurred") as caught:
        await management.fetch_content(CONTENT)
    assert caught.value.code == "AF50000"
    assert caught.value.message == "An internal server error occurred. Retry the request."


async def test_expired_content_is_not_found(management, service):
    service.reply(httpx.Response(404, json={"error": {"code": "AF20055", "message": "Content expired."}}))
    with pytest.raises(NotFoundError, match="Content expired"):
        await management.fetch_content(CONTENT)


async def test_start_subscription_posts_the_webhook_for_our_tenant(management, service):
    answer = load_event("o365/02-subscription-start.response.json")
    service.reply(httpx.Response(200, json=answer))
    assert await management.start_subscription("https://app.example/api/alerts/o365", "s3cret-auth-id") == answer
    request = service.requests[0]
    assert request.method == "POST" and str(request.url).startswith(f"{FEED}/subscriptions/start?")
    assert dict(request.url.params) == {"contentType": "Audit.General", "PublisherIdentifier": TENANT}
    assert json.loads(request.content) == {"webhook": {"address": "https://app.example/api/alerts/o365",
                                                       "authId": "s3cret-auth-id", "expiration": ""}}


async def test_list_subscriptions(management, service):
    listed = [{"contentType": "Audit.General", "status": "enabled", "webhook": None}]
    service.reply(httpx.Response(200, json=listed))
    assert await management.list_subscriptions() == listed
    assert str(service.requests[0].url) == f"{FEED}/subscriptions/list"
