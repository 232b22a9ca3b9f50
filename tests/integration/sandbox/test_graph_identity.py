"""The sandbox's app and grant routes (service principals, app role assignments, directory roles,
applications) and Exchange's RBAC cmdlets, as Microsoft documents them."""

from __future__ import annotations

import httpx
import pytest

from localdev.tenant.graph_identity import GRAPH_APP, MANAGED_IDENTITY, ROLE_TEMPLATES

USER_ADMIN = ROLE_TEMPLATES["User Administrator"]


def one(client: httpx.Client, path: str, **params) -> dict:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    [item] = response.json()["value"]
    return item


def managed(sandbox_graph) -> dict:
    return one(sandbox_graph, "/servicePrincipals", **{"$filter": f"appId eq '{MANAGED_IDENTITY['appId']}'"})


def granted(sandbox_graph, principal_id: str) -> set[str]:
    graph_sp = one(sandbox_graph, "/servicePrincipals", **{"$filter": f"appId eq '{GRAPH_APP}'"})
    names = {role["id"]: role["value"] for role in graph_sp["appRoles"]}
    listing = sandbox_graph.get(f"/servicePrincipals/{principal_id}/appRoleAssignments").json()["value"]
    return {names[item["appRoleId"]] for item in listing if item["resourceId"] == graph_sp["id"]}


def test_the_identity_holds_what_the_app_needs_less_what_the_scenario_withholds(sandbox, sandbox_graph):
    scenario = sandbox.scenario()
    scenario["permissions"]["withheld"] = ["User.RevokeSessions.All"]
    sandbox.load(scenario)
    held = granted(sandbox_graph, managed(sandbox_graph)["id"])
    assert "User.Read.All" in held and "User.RevokeSessions.All" not in held and "Mail.Send" not in held


def test_an_app_role_assignment_has_the_documented_properties(sandbox_graph):
    principal = managed(sandbox_graph)
    item = sandbox_graph.get(f"/servicePrincipals/{principal['id']}/appRoleAssignments").json()["value"][0]
    assert set(item) == {"id", "deletedDateTime", "appRoleId", "createdDateTime", "principalDisplayName",
                         "principalId", "principalType", "resourceDisplayName", "resourceId"}
    assert item["principalId"] == principal["id"] and item["principalType"] == "ServicePrincipal"


def test_granting_a_withheld_permission_makes_its_route_answer(sandbox, sandbox_graph):
    scenario = sandbox.scenario()
    scenario["permissions"]["withheld"] = ["Domain.Read.All"]
    sandbox.load(scenario)
    assert sandbox_graph.get("/domains").status_code == 403
    graph_sp = one(sandbox_graph, "/servicePrincipals", **{"$filter": f"appId eq '{GRAPH_APP}'"})
    role = next(role for role in graph_sp["appRoles"] if role["value"] == "Domain.Read.All")
    body = {"principalId": managed(sandbox_graph)["id"], "resourceId": graph_sp["id"], "appRoleId": role["id"]}
    created = sandbox_graph.post(f"/servicePrincipals/{graph_sp['id']}/appRoleAssignedTo", json=body)
    assert created.status_code == 201 and created.json()["appRoleId"] == role["id"]
    assert sandbox_graph.get("/domains").status_code == 200
    again = sandbox_graph.post(f"/servicePrincipals/{graph_sp['id']}/appRoleAssignedTo", json=body)
    assert again.status_code == 400
    assert again.json()["error"]["message"] == "Permission being assigned already exists on the object"


def test_directory_roles_are_listed_by_principal_and_created_once(sandbox, sandbox_graph):
    scenario = sandbox.scenario()
    scenario["identity"] = {"directoryRoles": []}
    sandbox.load(scenario)
    principal = managed(sandbox_graph)["id"]
    query = {"$filter": f"principalId eq '{principal}'"}
    assert sandbox_graph.get("/roleManagement/directory/roleAssignments", params=query).json()["value"] == []
    body = {"@odata.type": "#microsoft.graph.unifiedRoleAssignment", "principalId": principal,
            "roleDefinitionId": USER_ADMIN, "directoryScopeId": "/"}
    created = sandbox_graph.post("/roleManagement/directory/roleAssignments", json=body)
    assert created.status_code == 201 and created.json()["directoryScopeId"] == "/"
    [listed] = sandbox_graph.get("/roleManagement/directory/roleAssignments", params=query).json()["value"]
    assert listed["roleDefinitionId"] == USER_ADMIN
    assert sandbox_graph.post("/roleManagement/directory/roleAssignments", json=body).status_code == 400


def test_reading_role_assignments_needs_its_permission(sandbox, sandbox_graph):
    scenario = sandbox.scenario()
    scenario["permissions"]["withheld"] = ["RoleManagement.Read.Directory"]
    sandbox.load(scenario)
    response = sandbox_graph.get("/roleManagement/directory/roleAssignments")
    assert response.status_code == 403 and response.json()["error"]["code"] == "Authorization_RequestDenied"


def test_an_unsupported_filter_is_refused(sandbox_graph):
    response = sandbox_graph.get("/servicePrincipals", params={"$filter": "startswith(displayName,'x')"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "Request_UnsupportedQuery"


def test_an_application_is_found_by_identifier_uri_and_its_uri_is_unique(sandbox_graph):
    body = {"displayName": "Restricted sender responder API", "identifierUris": ["api://rsr"]}
    created = sandbox_graph.post("/applications", json=body)
    assert created.status_code == 201 and created.json()["appId"]
    found = one(sandbox_graph, "/applications", **{"$filter": "identifierUris/any(x:x eq 'api://rsr')"})
    assert found["id"] == created.json()["id"]
    clash = sandbox_graph.post("/applications", json={"displayName": "other", "identifierUris": ["api://rsr"]})
    assert clash.status_code == 400 and "identifierUris" in clash.json()["error"]["message"]
    assert sandbox_graph.patch(f"/applications/{found['id']}", json={"appRoles": []}).status_code == 204
    unknown = sandbox_graph.patch(f"/applications/{found['id']}", json={"colour": "red"})
    assert unknown.status_code == 400


@pytest.fixture
def exchange(sandbox):
    with httpx.Client(base_url=f"{sandbox.url}/adminapi/beta/{sandbox.tenant_id}", timeout=10) as client:
        yield client


def invoke(exchange: httpx.Client, cmdlet: str, **parameters) -> httpx.Response:
    return exchange.post("/InvokeCommand", json={"CmdletInput": {"CmdletName": cmdlet, "Parameters": parameters}})


def test_a_cmdlet_the_role_group_lacks_is_not_found_as_exchange_says(sandbox, exchange):
    scenario = sandbox.scenario()
    scenario["identity"] = {"exchangeCmdlets": ["Get-BlockedSenderAddress"]}
    sandbox.load(scenario)
    assert invoke(exchange, "Get-BlockedSenderAddress").status_code == 200
    refused = invoke(exchange, "Remove-BlockedSenderAddress", SenderAddress="adele@contoso.com")
    assert refused.status_code == 400
    assert "CommandNotFoundException" in refused.json()["error"]["details"][0]["message"]


def test_role_entries_name_the_roles_holding_a_cmdlet(sandbox, exchange):
    entries = invoke(exchange, "Get-ManagementRoleEntry", Identity="*\\Remove-BlockedSenderAddress").json()["value"]
    assert {entry["Role"] for entry in entries} == {"RSR responder", "Transport Hygiene"}
    assigned = invoke(exchange, "Get-ManagementRoleAssignment", RoleAssignee=MANAGED_IDENTITY["appId"]).json()
    assert [item["Role"] for item in assigned["value"]] == ["RSR responder"]


def test_mail_send_is_in_scope_only_for_the_scoped_mailbox(sandbox, exchange):
    scenario = sandbox.scenario()
    scenario["identity"] = {"mailSendScope": ["secops@contoso.com"]}
    sandbox.load(scenario)
    [row] = invoke(exchange, "Test-ServicePrincipalAuthorization", Identity=MANAGED_IDENTITY["appId"],
                   Resource="secops@contoso.com").json()["value"]
    assert row["RoleName"] == "Application Mail.Send" and row["InScope"] is True
    [other] = invoke(exchange, "Test-ServicePrincipalAuthorization", Identity=MANAGED_IDENTITY["appId"],
                     Resource="adele@contoso.com").json()["value"]
    assert other["InScope"] is False
