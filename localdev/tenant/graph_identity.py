"""Graph's app and role routes: applications, service principals, app role assignments and
directory role assignments, as setup grants them and the self-test reads them back.

Shapes and errors follow Microsoft's pages "List servicePrincipals", "List appRoleAssignments
granted to a service principal", "Grant an appRoleAssignment for a service principal", "List
unifiedRoleAssignments", "Create unifiedRoleAssignment", "Create application" and "Update
application". The scenario's `identity` section (scenario.py) says what the app's managed
identity holds; `identity.state(tenant)` is the live directory, built from it on first use.
"""

from __future__ import annotations

import re
import uuid

from localdev.tenant import odata
from localdev.tenant.graph_router import GraphCall, GraphReply, Route
from localdev.tenant.state import TenantState

GRAPH_APP = "00000003-0000-0000-c000-000000000000"
EXCHANGE_APP = "00000002-0000-0ff1-ce00-000000000000"
MANAGEMENT_APP = "c5393580-f805-4401-95e8-94b7a6ef2fc2"
# The application permissions of the first-party apps the sandbox knows (a subset of Microsoft's).
CATALOG = {
    GRAPH_APP: ("Microsoft Graph", (
        "User.Read.All", "Domain.Read.All", "User-PasswordProfile.ReadWrite.All", "User.RevokeSessions.All",
        "User.EnableDisableAccount.All", "GroupMember.Read.All", "MailboxSettings.ReadWrite",
        "UserAuthenticationMethod.ReadWrite.All", "Mail.Send", "SecurityAlert.Read.All", "Application.Read.All",
        "Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All", "RoleManagement.Read.Directory",
        "RoleManagement.ReadWrite.Directory", "Directory.Read.All", "DelegatedPermissionGrant.ReadWrite.All",
        "IdentityRiskyUser.ReadWrite.All", "AuditLog.Read.All")),
    EXCHANGE_APP: ("Office 365 Exchange Online", ("Exchange.ManageAsApp", "full_access_as_app")),
    MANAGEMENT_APP: ("Office 365 Management APIs", ("ActivityFeed.Read", "ActivityFeed.ReadDlp", "ServiceHealth.Read")),
}
# What the managed identity holds unless the scenario says otherwise: what the app needs (Mail.Send comes
# from Exchange RBAC for Applications, not from Entra), less `permissions.withheld`.
DEFAULT_GRANTS = ("User.Read.All", "Domain.Read.All", "User-PasswordProfile.ReadWrite.All", "User.RevokeSessions.All",
                  "User.EnableDisableAccount.All", "GroupMember.Read.All", "MailboxSettings.ReadWrite",
                  "UserAuthenticationMethod.ReadWrite.All", "SecurityAlert.Read.All", "Application.Read.All",
                  "DelegatedPermissionGrant.ReadWrite.All", "IdentityRiskyUser.ReadWrite.All", "AuditLog.Read.All",
                  "RoleManagement.Read.Directory", "Exchange.ManageAsApp", "ActivityFeed.Read")
ROLE_TEMPLATES = {"User Administrator": "fe930be7-5e62-47db-91af-98c3a49a38b1",
                  "Exchange Administrator": "29232cdf-9323-42fd-ade2-1d097af3e4de",
                  "Privileged Authentication Administrator": "7be44c8a-adaf-4e2a-84d6-ab2649e08a13"}
# Microsoft's multi-tenant apps a tenant may instantiate (POST /servicePrincipals {appId}).
FIRST_PARTY = {"461e8683-5575-4561-ac7f-899cc907d62a": "AzNS AAD Webhook"}
MANAGED_IDENTITY = {"appId": "7d3f1c52-3a8e-4b6f-9d21-5e4c8b0a9f13", "displayName": "id-restricted-sender-responder"}
READ = "Application.Read.All"
_EQ = re.compile(r"^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$", re.IGNORECASE)
_URI_ANY = re.compile(r"^\s*identifierUris/any\(\s*(\w+)\s*:\s*\1\s+eq\s+'((?:[^']|'')*)'\s*\)\s*$", re.IGNORECASE)


def _id(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(parts)))


def _resource(app_id: str) -> dict:
    name, values = CATALOG[app_id]
    roles = [{"allowedMemberTypes": ["Application"], "description": value, "displayName": value,
              "id": _id(app_id, value), "isEnabled": True, "origin": "Application", "value": value}
             for value in values]
    return {"id": _id("sp", app_id), "appId": app_id, "displayName": name, "appRoles": roles,
            "servicePrincipalType": "Application", "appRoleAssignmentRequired": False}


def state(tenant: TenantState) -> dict:
    """The directory of apps and grants, built from the scenario's `identity` on first use."""
    if "directory" not in tenant.identity:
        spec = tenant.identity
        identity = {**MANAGED_IDENTITY, **(spec.get("managedIdentity") or {})}
        managed = {"id": identity.get("id") or _id("sp", identity["appId"]), "appId": identity["appId"],
                   "displayName": identity["displayName"], "appRoles": [],
                   "servicePrincipalType": "ManagedIdentity", "appRoleAssignmentRequired": False}
        resources = [_resource(app_id) for app_id in CATALOG]
        # Other apps (a consented phishing app) and the users' delegated consents to them.
        apps = [{"appOwnerOrganizationId": None, "verifiedPublisher": {}, **app}
                for app in spec.get("servicePrincipals") or []]
        directory = {"applications": [], "servicePrincipals": [managed, *resources, *apps],
                     "appRoleAssignments": [], "roleAssignments": [],
                     "oauth2PermissionGrants": list(spec.get("oauth2PermissionGrants") or [])}
        granted = spec.get("appRoles")
        for value in (DEFAULT_GRANTS if granted is None else granted):
            if value not in tenant.withheld:
                resource = next(sp for sp in resources if any(role["value"] == value for role in sp["appRoles"]))
                _assign(tenant, directory, managed, resource, _role(resource, value)["id"])
        for name in spec.get("directoryRoles", ["User Administrator"]):
            directory["roleAssignments"].append(_role_assignment(managed["id"], ROLE_TEMPLATES[name], "/"))
        tenant.identity["directory"] = directory
    return tenant.identity["directory"]


def _role(resource: dict, value: str) -> dict:
    return next(role for role in resource["appRoles"] if role["value"] == value)


def _assign(tenant: TenantState, directory: dict, principal: dict, resource: dict, role_id: str) -> dict:
    assignment = {"id": _id("assignment", principal["id"], role_id), "deletedDateTime": None, "appRoleId": role_id,
                  "createdDateTime": tenant.now_iso(), "principalDisplayName": principal["displayName"],
                  "principalId": principal["id"], "principalType": "ServicePrincipal",
                  "resourceDisplayName": resource["displayName"], "resourceId": resource["id"]}
    directory["appRoleAssignments"].append(assignment)
    return assignment


def _role_assignment(principal_id: str, role_definition_id: str, scope: str) -> dict:
    return {"id": _id("role", principal_id, role_definition_id, scope), "principalId": principal_id,
            "roleDefinitionId": role_definition_id, "directoryScopeId": scope}


def _filtered(call: GraphCall, items: list[dict], names: tuple[str, ...]) -> list[dict]:
    """`items` matching `$filter=<name> eq '<value>'` (case-insensitive), for one of `names`."""
    text = call.query.get("$filter")
    if text is None:
        return items
    match = _EQ.match(text)
    if not match or match.group(1) not in names:
        raise odata.bad_request(f"Invalid filter clause: {text}", "Request_UnsupportedQuery")
    name, value = match.group(1), match.group(2).replace("''", "'").lower()
    return [item for item in items if item[name].lower() == value]


def _listing(call: GraphCall, fragment: str, items: list[dict]) -> GraphReply:
    return GraphReply(200, {"@odata.context": odata.context(call.base, fragment), "value": items})


def _find(items: list[dict], key: str, value: str) -> dict | None:
    return next((item for item in items if item[key].lower() == value.lower()), None)


# servicePrincipals ----------------------------------------------------------------------------
def list_service_principals(call: GraphCall) -> GraphReply:
    principals = _filtered(call, state(call.state)["servicePrincipals"], ("appId", "displayName"))
    return _listing(call, "servicePrincipals", principals)


def get_service_principal(call: GraphCall, sp: str) -> GraphReply:
    return GraphReply(200, {"@odata.context": odata.context(call.base, "servicePrincipals/$entity"),
                            **_principal(call, sp)})


def _principal(call: GraphCall, sp: str) -> dict:
    found = _find(state(call.state)["servicePrincipals"], "id", sp)
    if found is None:
        raise odata.not_found(sp)
    return found


def create_service_principal(call: GraphCall) -> GraphReply:
    body = odata.properties(call.json() or {})
    directory = state(call.state)
    app_id = str(body.get("appId") or "")
    application = _find(directory["applications"], "appId", app_id)
    if application is None and app_id in FIRST_PARTY:
        application = {"appId": app_id, "displayName": FIRST_PARTY[app_id], "appRoles": []}
    if application is None:
        raise odata.bad_request(f"The appId '{body.get('appId')}' of the service principal does not reference "
                                "a valid application object.", "Request_BadRequest")
    if _find(directory["servicePrincipals"], "appId", application["appId"]):
        raise odata.bad_request("The service principal cannot be created, updated, or restored because the service "
                                "principal name is already in use.", "Request_MultipleObjectsWithSameKeyValue")
    created = {"id": _id("sp", application["appId"]), "appId": application["appId"],
               "displayName": application["displayName"], "appRoles": application["appRoles"],
               "servicePrincipalType": "Application",
               "appRoleAssignmentRequired": bool(body.get("appRoleAssignmentRequired", False))}
    directory["servicePrincipals"].append(created)
    return GraphReply(201, {"@odata.context": odata.context(call.base, "servicePrincipals/$entity"), **created})


def list_app_role_assignments(call: GraphCall, sp: str) -> GraphReply:
    principal = _principal(call, sp)
    held = [item for item in state(call.state)["appRoleAssignments"] if item["principalId"] == principal["id"]]
    return _listing(call, f"servicePrincipals('{principal['id']}')/appRoleAssignments", held)


def grant_app_role(call: GraphCall, sp: str) -> GraphReply:
    """POST /servicePrincipals/{resource}/appRoleAssignedTo {principalId, resourceId, appRoleId}."""
    resource = _principal(call, sp)
    body = odata.properties(call.json() or {})
    directory = state(call.state)
    principal = _find(directory["servicePrincipals"], "id", str(body.get("principalId") or ""))
    role = next((role for role in resource["appRoles"] if role["id"] == body.get("appRoleId")), None)
    if principal is None or str(body.get("resourceId") or "").lower() != resource["id"]:
        raise odata.bad_request("Invalid principalId or resourceId.", "Request_BadRequest")
    if role is None:
        raise odata.bad_request("Permission being assigned was not found on application", "Request_BadRequest")
    if any(item["principalId"] == principal["id"] and item["appRoleId"] == role["id"]
           for item in directory["appRoleAssignments"]):
        raise odata.bad_request("Permission being assigned already exists on the object", "Request_BadRequest")
    assignment = _assign(call.state, directory, principal, resource, role["id"])
    call.state.withheld.discard(role["value"])   # granted now: the routes that need it answer
    return GraphReply(201, {"@odata.context": odata.context(call.base, "appRoleAssignments/$entity"), **assignment})


# roleManagement/directory/roleAssignments -----------------------------------------------------
def list_role_assignments(call: GraphCall) -> GraphReply:
    items = _filtered(call, state(call.state)["roleAssignments"], ("principalId", "roleDefinitionId"))
    return _listing(call, "roleManagement/directory/roleAssignments", items)


def create_role_assignment(call: GraphCall) -> GraphReply:
    body = odata.properties(call.json() or {})
    missing = [name for name in ("principalId", "roleDefinitionId", "directoryScopeId") if not body.get(name)]
    if missing:
        raise odata.bad_request(f"Required property '{missing[0]}' is missing.", "Request_BadRequest")
    directory = state(call.state)
    if _find(directory["servicePrincipals"], "id", body["principalId"]) is None:
        raise odata.not_found(body["principalId"])
    if body["roleDefinitionId"] not in ROLE_TEMPLATES.values():
        raise odata.not_found(body["roleDefinitionId"])
    created = _role_assignment(body["principalId"], body["roleDefinitionId"], body["directoryScopeId"])
    if _find(directory["roleAssignments"], "id", created["id"]):
        raise odata.bad_request("A conflicting object with one or more of the specified property values is present "
                                "in the directory.", "Request_BadRequest")
    directory["roleAssignments"].append(created)
    return GraphReply(201, {"@odata.context": odata.context(call.base, "roleManagement/directory/roleAssignments/"
                                                                       "$entity"), **created})


# applications ---------------------------------------------------------------------------------
APPLICATION_PROPERTIES = ("displayName", "identifierUris", "appRoles", "api", "signInAudience")


def list_applications(call: GraphCall) -> GraphReply:
    items = state(call.state)["applications"]
    text = call.query.get("$filter")
    if text is not None:
        match = _URI_ANY.match(text)
        if not match:
            raise odata.bad_request(f"Invalid filter clause: {text}", "Request_UnsupportedQuery")
        uri = match.group(2).replace("''", "'")
        items = [item for item in items if uri in item.get("identifierUris", [])]
    return _listing(call, "applications", items)


def create_application(call: GraphCall) -> GraphReply:
    body = _application_body(call)
    if not body.get("displayName"):
        raise odata.bad_request("Required property 'displayName' is missing.", "Request_BadRequest")
    _check_uris(call, body, None)
    app_id = _id("application", body["displayName"], str(len(state(call.state)["applications"])))
    created = {"id": _id("application-object", app_id), "appId": app_id, "identifierUris": [], "appRoles": [],
               "api": {}, "signInAudience": "AzureADMyOrg", **body}
    state(call.state)["applications"].append(created)
    return GraphReply(201, {"@odata.context": odata.context(call.base, "applications/$entity"), **created})


def update_application(call: GraphCall, application: str) -> GraphReply:
    found = _find(state(call.state)["applications"], "id", application)
    if found is None:
        raise odata.not_found(application)
    body = _application_body(call)
    _check_uris(call, body, found)
    found.update(body)
    return GraphReply(204)


def _application_body(call: GraphCall) -> dict:
    body = call.json()
    if not isinstance(body, dict):
        raise odata.bad_request("Empty Payload. JSON content expected.")
    body = odata.properties(body)
    for name in body:
        if name not in APPLICATION_PROPERTIES:
            raise odata.bad_request(f"Property '{name}' does not exist as a declared property or extension property.")
    return body


def _check_uris(call: GraphCall, body: dict, owner: dict | None) -> None:
    for uri in body.get("identifierUris") or []:
        others = [item for item in state(call.state)["applications"] if item is not owner]
        if any(uri in item.get("identifierUris", []) for item in others):
            raise odata.bad_request("Another object with the same value for property identifierUris already exists.",
                                    "Request_BadRequest")


ROUTES = [
    Route("GET", "/servicePrincipals", list_service_principals, READ),
    Route("POST", "/servicePrincipals", create_service_principal, "Application.ReadWrite.All"),
    Route("GET", "/servicePrincipals/{sp}", get_service_principal, READ),
    Route("GET", "/servicePrincipals/{sp}/appRoleAssignments", list_app_role_assignments, READ),
    Route("POST", "/servicePrincipals/{sp}/appRoleAssignedTo", grant_app_role, "AppRoleAssignment.ReadWrite.All"),
    Route("GET", "/roleManagement/directory/roleAssignments", list_role_assignments, "RoleManagement.Read.Directory"),
    Route("POST", "/roleManagement/directory/roleAssignments", create_role_assignment,
          "RoleManagement.ReadWrite.Directory"),
    Route("GET", "/applications", list_applications, READ),
    Route("POST", "/applications", create_application, "Application.ReadWrite.All"),
    Route("PATCH", "/applications/{application}", update_application, "Application.ReadWrite.All"),
]
