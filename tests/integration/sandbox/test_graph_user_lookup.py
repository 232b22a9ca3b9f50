"""Finding a user by an address that is not the UPN: GET /users/{key} takes only an id or a UPN;
GET /users?$filter= finds one by mail, UPN or proxy address; Exchange names the mailbox by its mail."""

from __future__ import annotations

import httpx
import pytest

JOHN_UPN, JOHN_MAIL, JOHN_ALIAS = "jdoe@corp.contoso.com", "john.doe@contoso.com", "j.doe@contoso.com"
JOHN = {"userPrincipalName": JOHN_UPN, "displayName": "John Doe", "mail": JOHN_MAIL,
        "proxyAddresses": [f"SMTP:{JOHN_MAIL}", f"smtp:{JOHN_ALIAS}", "SIP:jdoe@corp.contoso.com"]}
ADVANCED = {"ConsistencyLevel": "eventual"}


def by_proxy(address: str) -> str:
    return f"proxyAddresses/any(p:p eq 'smtp:{address}')"


@pytest.fixture
def john(sandbox) -> dict:
    scenario = sandbox.scenario()
    scenario["users"].append(JOHN)
    return sandbox.load(scenario)["users"][-1]


def upns(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [user["userPrincipalName"] for user in response.json()["value"]]


def test_a_mail_address_that_is_not_the_upn_is_not_a_user_key(sandbox_graph, john):
    response = sandbox_graph.get(f"/users/{JOHN_MAIL}")
    assert response.status_code == 404 and response.json()["error"]["code"] == "Request_ResourceNotFound"
    assert sandbox_graph.get(f"/users/{JOHN_UPN}").json()["mail"] == JOHN_MAIL


def test_users_are_found_by_mail_or_upn_in_any_case_with_select(sandbox_graph, john):
    response = sandbox_graph.get("/users", params={"$filter": f"mail eq '{JOHN_MAIL.upper()}'",
                                                   "$select": "id,userPrincipalName,proxyAddresses"})
    body = response.json()
    assert body["@odata.context"].endswith("/v1.0/$metadata#users(id,userPrincipalName,proxyAddresses)")
    assert body["value"] == [{"id": john["id"], "userPrincipalName": JOHN_UPN,
                              "proxyAddresses": JOHN["proxyAddresses"]}]
    assert upns(sandbox_graph.get("/users", params={"$filter": "userPrincipalName EQ 'JDoe@Corp.Contoso.com'"})) == \
        [JOHN_UPN]
    assert upns(sandbox_graph.get("/users", params={"$filter": "mail eq 'nobody@contoso.com'"})) == []


def test_a_user_gets_its_mail_as_proxy_address_by_default(sandbox_graph):
    body = sandbox_graph.get("/users/megan@contoso.com", params={"$select": "proxyAddresses"}).json()
    assert body["proxyAddresses"] == ["SMTP:megan@contoso.com"]


def test_a_proxy_address_finds_its_user_with_the_advanced_query_parameters(sandbox_graph, john):
    response = sandbox_graph.get("/users", params={"$filter": by_proxy(JOHN_ALIAS.upper()), "$count": "true"},
                                 headers=ADVANCED)
    assert upns(response) == [JOHN_UPN] and response.json()["@odata.count"] == 1


@pytest.mark.parametrize(("params", "headers"), [
    ({"$filter": by_proxy(JOHN_ALIAS)}, {}),
    ({"$filter": by_proxy(JOHN_ALIAS), "$count": "true"}, {}),
    ({"$filter": by_proxy(JOHN_ALIAS)}, ADVANCED),
    ({"$filter": f"mail eq '{JOHN_MAIL}' or {by_proxy(JOHN_ALIAS)}"}, {}),
])
def test_the_lambda_on_proxy_addresses_without_them_is_graphs_400(sandbox_graph, john, params, headers):
    response = sandbox_graph.get("/users", params=params, headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "Request_UnsupportedQuery"
    assert response.json()["error"]["message"] == "Unsupported Query."


def test_clauses_joined_by_or_match_every_user_any_of_them_names_page_by_page(sandbox, sandbox_graph, john):
    text = f"mail eq 'adele@contoso.com' or userPrincipalName eq '{JOHN_UPN}' or {by_proxy('megan@contoso.com')}"
    response = sandbox_graph.get("/users", params={"$filter": text, "$count": "true", "$top": "2"}, headers=ADVANCED)
    first = response.json()
    assert first["@odata.count"] == 3 and len(first["value"]) == 2
    following = httpx.get(first["@odata.nextLink"], headers=ADVANCED)
    assert upns(response) + upns(following) == ["adele@contoso.com", "megan@contoso.com", JOHN_UPN]
    assert "@odata.nextLink" not in following.json()


@pytest.mark.parametrize(("text", "code", "message"), [
    ("displayName eq 'John Doe'", "Request_UnsupportedQuery",
     "Unsupported or invalid query filter clause specified for property 'displayName' of resource 'User'."),
    ("favouriteColour eq 'blue'", "BadRequest", "Could not find a property named 'favouriteColour' on type "
                                                "'microsoft.graph.user'."),
    ("mail eq 'a@contoso.com' and mail eq 'b@contoso.com'", "BadRequest", "Invalid filter clause: syntax error"),
    ("mail eq a@contoso.com", "BadRequest", "Invalid filter clause: syntax error"),
])
def test_a_filter_the_sandbox_does_not_serve_is_a_400_that_says_why(sandbox_graph, text, code, message):
    response = sandbox_graph.get("/users", params={"$filter": text})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code and response.json()["error"]["message"].startswith(message)


def test_exchange_names_the_mailbox_by_its_mail_and_resolves_any_proxy_address(sandbox, john):
    with httpx.Client(base_url=f"{sandbox.url}/adminapi/beta/{sandbox.tenant_id}", timeout=10) as exchange:
        response = exchange.post("/InvokeCommand", json={"CmdletInput": {
            "CmdletName": "Get-Mailbox", "Parameters": {"Identity": JOHN_ALIAS}}})
    assert response.status_code == 200, response.text
    [mailbox] = response.json()["value"]
    assert (mailbox["UserPrincipalName"], mailbox["PrimarySmtpAddress"]) == (JOHN_UPN, JOHN_MAIL)
    assert mailbox["EmailAddresses"] == [*JOHN["proxyAddresses"], "smtp:jdoe@contoso.onmicrosoft.com"]
