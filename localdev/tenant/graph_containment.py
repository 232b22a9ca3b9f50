"""Graph's routes that close an attacker's ways back in: a user's authentication methods (delete,
per type), delegated consents (oauth2PermissionGrants) and Identity Protection's confirmCompromised.

Shapes and errors follow Microsoft's pages "Delete microsoftAuthenticatorAuthenticationMethod"
(and its siblings per type), "List a user's oauth2PermissionGrants", "Delete a
delegatedPermissionGrant", "Create oAuth2PermissionGrant" and "riskyUser: confirmCompromised":
  - a method already gone: 404 itemNotFound;
  - the user's default method while others exist: 400 "Cannot delete default method with other
    methods configured. Please change default method before deletion.";
  - riskyUsers in a tenant without Entra ID P2 (`identity.entraIdP2: false`): 403
    Authentication_RequestFromNonPremiumTenantOrB2CTenant.
"""

from __future__ import annotations

import uuid

from localdev.tenant import odata
from localdev.tenant.graph_directory import find_user
from localdev.tenant.graph_identity import state
from localdev.tenant.graph_router import GraphCall, GraphReply, Route

METHODS_PERMISSION = "UserAuthenticationMethod.ReadWrite.All"
GRANTS_PERMISSION = "DelegatedPermissionGrant.ReadWrite.All"
RISK_PERMISSION = "IdentityRiskyUser.ReadWrite.All"
# The collection of each deletable type, and the @odata.type its members carry.
METHOD_TYPES = {f"{kind}Methods": f"#microsoft.graph.{kind}AuthenticationMethod" for kind in (
    "microsoftAuthenticator", "phone", "softwareOath", "fido2", "email", "temporaryAccessPass",
    "windowsHelloForBusiness")}
DEFAULT_REFUSED = ("Cannot delete default method with other methods configured. Please change default method "
                   "before deletion.")
UNLICENSED = odata.GraphError(403, "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
                              "Neither tenant is B2C or tenant doesn't have premium license")


def delete_method(call: GraphCall, user: str, methodType: str,  # noqa: N803 - the route template's name
                  method: str) -> GraphReply:
    if methodType not in METHOD_TYPES:
        raise odata.segment_not_found(methodType)
    record = find_user(call, user)
    methods = record["authenticationMethods"]
    found = next((item for item in methods if item.get("id") == method
                  and item.get("@odata.type") == METHOD_TYPES[methodType]), None)
    if found is None:
        raise odata.GraphError(404, "itemNotFound", f"The requested resource '{method}' was not found.")
    if record.get("defaultMethod") == method and len(methods) > 1:
        raise odata.bad_request(DEFAULT_REFUSED, "invalidRequest")
    methods.remove(found)
    return GraphReply(204)


def _grants(call: GraphCall) -> list[dict]:
    return state(call.state)["oauth2PermissionGrants"]


def list_user_grants(call: GraphCall, user: str) -> GraphReply:
    record = find_user(call, user)
    value = [grant for grant in _grants(call) if grant.get("principalId") == record["id"]]
    return GraphReply(200, {"@odata.context": odata.context(call.base, "oauth2PermissionGrants"), "value": value})


def delete_grant(call: GraphCall, grant: str) -> GraphReply:
    found = next((item for item in _grants(call) if item["id"] == grant), None)
    if found is None:
        raise odata.not_found(grant)
    _grants(call).remove(found)
    return GraphReply(204)


def create_grant(call: GraphCall) -> GraphReply:
    body = call.json()
    missing = [name for name in ("clientId", "consentType", "resourceId") if not isinstance(body.get(name), str)]
    if missing or body.get("consentType") not in ("Principal", "AllPrincipals"):
        raise odata.bad_request(f"Invalid value specified for property '{(missing or ['consentType'])[0]}'.",
                                "Request_BadRequest")
    grant = {"id": body.get("id") or uuid.uuid4().hex, "clientId": body["clientId"],
             "consentType": body["consentType"], "principalId": body.get("principalId"),
             "resourceId": body["resourceId"], "scope": body.get("scope") or ""}
    _grants(call).append(grant)
    return GraphReply(201, {"@odata.context": odata.context(call.base, "oauth2PermissionGrants/$entity"), **grant})


def confirm_compromised(call: GraphCall) -> GraphReply:
    if call.state.identity.get("entraIdP2") is False:
        raise UNLICENSED
    user_ids = odata.parameter(call.json(), "userIds")
    if not isinstance(user_ids, list) or not user_ids or not all(isinstance(item, str) for item in user_ids):
        raise odata.bad_request("Invalid request body: 'userIds' must be a non-empty collection of strings.")
    for user_id in user_ids:
        record = find_user(call, user_id)
        record["riskState"], record["riskLevel"] = "confirmedCompromised", "high"
    return GraphReply(204)


ROUTES = [
    Route("DELETE", "/users/{user}/authentication/{methodType}/{method}", delete_method, METHODS_PERMISSION),
    Route("GET", "/users/{user}/oauth2PermissionGrants", list_user_grants, GRANTS_PERMISSION),
    Route("DELETE", "/oauth2PermissionGrants/{grant}", delete_grant, GRANTS_PERMISSION),
    Route("POST", "/oauth2PermissionGrants", create_grant, GRANTS_PERMISSION),
    Route("POST", "/identityProtection/riskyUsers/confirmCompromised", confirm_compromised, RISK_PERMISSION),
]
