"""get_user for an address that is not the UPN: Graph's 404 on GET /users/{address}, then the
lookup by mail, UPN or proxy address (an advanced query), through msgraph-sdk against httpx.MockTransport."""

from __future__ import annotations

import re

import httpx
import pytest

from remediation.errors import NotFoundError, PermanentError
from remediation.gateways.graph import GraphDirectory

MAIL = "john.doe@contoso.com"
JOHN = {"id": "3c9e4a1b-7d2f-4e8a-9b0c-1d2e3f4a5b6c", "userPrincipalName": "jdoe@corp.contoso.com", "mail": MAIL,
        "displayName": "John Doe", "accountEnabled": True, "onPremisesSyncEnabled": None,
        "proxyAddresses": [f"SMTP:{MAIL}", "smtp:j.doe@contoso.com"]}
NOT_FOUND = {"error": {"code": "Request_ResourceNotFound", "message": f"Resource '{MAIL}' does not exist or one of "
                                                                      "its queried reference-property objects are "
                                                                      "not present."}}


@pytest.fixture
def directory(connect, cloud_settings):
    return connect(GraphDirectory, cloud_settings)


def listing(*users: dict, next_link: str | None = None) -> httpx.Response:
    body = {"@odata.count": len(users), "value": list(users)}
    if next_link:
        body["@odata.nextLink"] = next_link
    return httpx.Response(200, json=body)


async def test_an_address_graph_does_not_take_as_a_key_is_looked_up_by_mail_upn_and_proxy_address(directory, service):
    service.reply(httpx.Response(404, json=NOT_FOUND), listing(JOHN))
    found = await directory.get_user(MAIL)
    assert (found.id, found.user_principal_name, found.mail) == (JOHN["id"], "jdoe@corp.contoso.com", MAIL)
    assert found.proxy_addresses == (f"SMTP:{MAIL}", "smtp:j.doe@contoso.com")
    assert found.addresses == {"jdoe@corp.contoso.com", MAIL, "j.doe@contoso.com"}
    first, lookup = service.requests
    assert first.url.path == f"/v1.0/users/{MAIL}"
    assert (lookup.method, lookup.url.path) == ("GET", "/v1.0/users")
    assert lookup.url.params["$filter"] == (f"mail eq '{MAIL}' or userPrincipalName eq '{MAIL}' "
                                            f"or proxyAddresses/any(p:p eq 'smtp:{MAIL}')")
    assert lookup.url.params["$count"] == "true" and lookup.headers["ConsistencyLevel"] == "eventual"
    assert "proxyAddresses" in lookup.url.params["$select"].split(",")


async def test_an_address_of_several_users_is_a_permanent_error_naming_them_across_pages(directory, service):
    other = {**JOHN, "id": "0f1e2d3c-4b5a-4968-8776-655443322110", "userPrincipalName": "john.doe@fabrikam.com"}
    following = "https://graph.microsoft.com/v1.0/users?$skiptoken=X1"
    service.reply(httpx.Response(404, json=NOT_FOUND), listing(JOHN, next_link=following), listing(other))
    ambiguous = f"^graph: {re.escape(MAIL)} is an address of 2 users .*; name the user by UPN or object id$"
    with pytest.raises(PermanentError, match=ambiguous) as raised:
        await directory.get_user(MAIL)
    assert not isinstance(raised.value, NotFoundError)
    assert "jdoe@corp.contoso.com" in str(raised.value) and "john.doe@fabrikam.com" in str(raised.value)
    assert str(service.requests[2].url) == following
    assert service.requests[2].headers["ConsistencyLevel"] == "eventual"   # sent again with the next link


async def test_an_address_no_user_has_is_graphs_not_found(directory, service):
    service.reply(httpx.Response(404, json=NOT_FOUND), listing())
    with pytest.raises(NotFoundError, match=r"does not exist.*\(Request_ResourceNotFound\)$") as raised:
        await directory.get_user("o'neil@contoso.com")
    assert "does not exist" in str(raised.value)
    assert "mail eq 'o''neil@contoso.com'" in service.requests[1].url.params["$filter"]


async def test_an_unknown_object_id_is_not_found_without_a_lookup(directory, service):
    service.reply(httpx.Response(404, json=NOT_FOUND))
    with pytest.raises(NotFoundError, match=r"does not exist.*\(Request_ResourceNotFound\)$"):
        await directory.get_user("3c9e4a1b-7d2f-4e8a-9b0c-1d2e3f4a5b6c")
    assert len(service.requests) == 1
