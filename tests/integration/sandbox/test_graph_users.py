"""Graph directory routes of the sandbox: users, password reset, sessions, membership, auth methods, domains."""

from __future__ import annotations

import pytest

from tests.conftest import load_event
from tests.plugins.sandbox import keys

ADELE = "adele@contoso.com"
ADELE_ID = "5f1c7a2e-3b4d-4e8f-9a01-2b3c4d5e6f70"


def test_get_user_returns_the_documented_default_properties(sandbox_graph):
    sample = load_event("graph/user-get-response.json")
    response = sandbox_graph.get(f"/users/{ADELE}")
    assert response.status_code == 200
    body = response.json()
    assert body.pop("@odata.context").endswith("/v1.0/$metadata#users/$entity")
    assert set(body) == set(sample)
    assert "accountEnabled" not in body and "onPremisesSyncEnabled" not in body
    assert body["id"] == ADELE_ID and body["businessPhones"] == ["+1 425 555 0109"]


def test_get_user_by_id_or_upn_in_any_case(sandbox_graph):
    assert sandbox_graph.get(f"/users/{ADELE_ID.upper()}").json()["userPrincipalName"] == ADELE
    assert sandbox_graph.get("/users/Adele@Contoso.com").json()["id"] == ADELE_ID


def test_select_returns_only_the_selected_properties(sandbox_graph):
    query = {"$select": "id,accountEnabled,onPremisesSyncEnabled"}
    body = sandbox_graph.get("/users/lee@contoso.com", params=query).json()
    assert body.pop("@odata.context").endswith("$metadata#users(id,accountEnabled,onPremisesSyncEnabled)/$entity")
    assert body == {"id": "2e4f6a8c-1b3d-4f5a-8c7e-9d0b1a2c3e4f", "accountEnabled": True, "onPremisesSyncEnabled": True}


def test_select_of_an_unknown_property_is_graphs_400(sandbox_graph):
    response = sandbox_graph.get(f"/users/{ADELE}", params={"$select": "id,memberOf,favouriteColour"})
    assert response.status_code == 400
    assert "Could not find a property named 'memberOf'" in response.json()["error"]["message"]


def test_unknown_user_is_404_request_resource_not_found(sandbox_graph):
    response = sandbox_graph.get("/users/nobody@contoso.com")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "Request_ResourceNotFound"
    assert error["message"] == ("Resource 'nobody@contoso.com' does not exist or one of its queried reference-property "
                                "objects are not present.")
    assert set(error["innerError"]) == {"date", "request-id", "client-request-id"}


def test_password_reset_from_the_documented_sample_is_204_and_recorded_without_the_password(sandbox, sandbox_graph):
    request = load_event("graph/user-update-passwordProfile-request.json")
    response = sandbox_graph.patch(f"/users/{ADELE}", json=request)
    assert response.status_code == 204 and response.content == b""
    user = sandbox.user(ADELE)
    [change] = user["passwordChanges"]
    assert (change["passwordChanged"], change["forceChangePasswordNextSignIn"]) == (True, False)
    assert request["passwordProfile"]["password"] not in str(sandbox.state()) + str(sandbox.requests())


def test_force_change_alone_does_not_rotate_the_password(sandbox, sandbox_graph):
    response = sandbox_graph.patch(f"/users/{ADELE}", json={"passwordProfile": {"forceChangePasswordNextSignIn": True}})
    assert response.status_code == 204
    assert sandbox.user(ADELE)["passwordChanges"][0]["passwordChanged"] is False


def test_password_reset_of_a_synced_user_is_graphs_400(sandbox, sandbox_graph):
    request = load_event("graph/user-update-passwordProfile-request.json")
    response = sandbox_graph.patch("/users/lee@contoso.com", json=request)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects "
        "currently undergoing migration.")
    assert sandbox.user("lee@contoso.com")["passwordChanges"] == []


@pytest.mark.parametrize("password", ["Sh0rt!", "alllowercaseletters", "NoDigitsOrSymbols", "ÜnicodeÄ1234567"])
def test_password_failing_complexity_is_400(sandbox_graph, password):
    response = sandbox_graph.patch(f"/users/{ADELE}", json={"passwordProfile": {"password": password}})
    assert response.status_code == 400
    assert "does not comply with password complexity requirements" in response.json()["error"]["message"]


def test_patch_of_an_unknown_property_is_400(sandbox_graph):
    response = sandbox_graph.patch(f"/users/{ADELE}", json={"favouriteColour": "blue"})
    assert response.status_code == 400
    assert "favouriteColour" in response.json()["error"]["message"]


def test_account_enabled_can_be_switched_off(sandbox, sandbox_graph):
    assert sandbox_graph.patch(f"/users/{ADELE}", json={"accountEnabled": False}).status_code == 204
    assert sandbox.user(ADELE)["accountEnabled"] is False
    assert sandbox_graph.get(f"/users/{ADELE}", params={"$select": "accountEnabled"}).json()["accountEnabled"] is False


@pytest.mark.parametrize(("withheld", "body"), [
    ("User-PasswordProfile.ReadWrite.All", {"passwordProfile": {"password": "xWwvJ]6NMw+bWH-d"}}),
    ("User.EnableDisableAccount.All", {"accountEnabled": False}),
])
def test_patch_needs_the_permission_of_what_it_changes(sandbox, sandbox_graph, withheld, body):
    scenario = sandbox.scenario()
    scenario["permissions"]["withheld"] = [withheld]
    sandbox.load(scenario)
    response = sandbox_graph.patch(f"/users/{ADELE}", json=body)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "Authorization_RequestDenied"
    assert response.json()["error"]["message"] == "Insufficient privileges to complete the operation."


def test_revoke_sign_in_sessions_answers_like_the_documented_sample_and_records_the_time(sandbox, sandbox_graph):
    sample = load_event("graph/revokeSignInSessions-response.json")
    response = sandbox_graph.post(f"/users/{ADELE}/revokeSignInSessions")
    assert response.status_code == 200
    assert keys(response.json()) == keys(sample) and response.json()["value"] is True
    assert response.json()["@odata.context"].endswith("$metadata#Edm.Boolean")
    assert len(sandbox.user(ADELE)["revocations"]) == 1


def test_check_member_groups_returns_the_groups_the_user_is_in(sandbox_graph):
    executives, other = "c4a8e1f2-9b3d-4e5f-a6b7-c8d9e0f1a2b3", "00000000-0000-0000-0000-000000000001"
    response = sandbox_graph.post("/users/nestor@contoso.com/checkMemberGroups", json={"groupIds": [other, executives]})
    assert response.status_code == 200 and response.json()["value"] == [executives]
    response = sandbox_graph.post(f"/users/{ADELE}/checkMemberGroups", json={"groupIds": [executives]})
    assert response.json()["value"] == []


def test_check_member_groups_without_group_ids_is_400(sandbox_graph):
    assert sandbox_graph.post(f"/users/{ADELE}/checkMemberGroups", json={}).status_code == 400


def test_authentication_methods_have_the_documented_shape(sandbox_graph):
    sample = load_event("graph/authentication-methods-list-response.json")
    body = sandbox_graph.get(f"/users/{ADELE}/authentication/methods").json()
    assert set(sample) <= set(body)
    types = [method["@odata.type"] for method in body["value"]]
    assert all({"@odata.type", "id"} <= set(method) for method in body["value"])
    assert types == ["#microsoft.graph.passwordAuthenticationMethod", "#microsoft.graph.phoneAuthenticationMethod",
                     "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod"]


def test_domains_list_authentication_type_and_flags(sandbox_graph):
    body = sandbox_graph.get("/domains").json()
    domains = {domain["id"]: domain for domain in body["value"]}
    assert domains["fabrikam.com"]["authenticationType"] == "Federated"
    assert domains["contoso.com"]["isDefault"] is True and domains["contoso.onmicrosoft.com"]["isInitial"] is True
    assert {"authenticationType", "id", "isDefault", "isInitial", "isVerified"} <= set(domains["contoso.com"])


def test_every_response_carries_request_ids_and_echoes_the_clients(sandbox_graph):
    response = sandbox_graph.get("/domains", headers={"client-request-id": "4c1d1ad0-0000-4000-8000-000000000001"})
    assert response.headers["client-request-id"] == "4c1d1ad0-0000-4000-8000-000000000001"
    assert response.headers["request-id"]


def test_patch_accepts_the_odata_type_annotations_msgraph_sdk_sends(sandbox, sandbox_graph):
    body = {"@odata.type": "#microsoft.graph.user",
            "passwordProfile": {"@odata.type": "#microsoft.graph.passwordProfile", "password": "Xy7!abcdEFG",
                                "forceChangePasswordNextSignIn": True}}
    assert sandbox_graph.patch(f"/users/{ADELE}", json=body).status_code == 204
    assert sandbox.user(ADELE)["passwordChanges"][0]["forceChangePasswordNextSignIn"] is True
