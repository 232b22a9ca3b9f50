"""The API app registration: the identifier URI, the app roles tokens carry, v2 tokens, and a
service principal that issues tokens only to principals given a role.

Ids of the roles and the scope are derived from their names, so every run asks for the same
ones; roles and scopes already there are kept (Graph refuses to drop an enabled one anyway).
Tokens are v2, so their `aud` is the application id: that is API_AUDIENCE.
"""

from __future__ import annotations

import uuid

from remediation.gateways.tenant_grants import TenantGraph
from remediation.setup.changes import CREATE, MANUAL, UNCHANGED, UPDATE, Change

NAME = "Restricted sender responder API"
_IDS = uuid.UUID("6f1d2a5e-8c3b-4e7a-9f20-1b5c4d3e2a10")   # namespace of the ids below
AZURE_CLI = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"       # pre-authorized: `az account get-access-token`
ROLES = (
    ("Remediation.Admin", "Remediation admin", "Start, approve and cancel remediations; read everything.",
     ["User", "Application"]),
    ("Remediation.Reader", "Remediation reader", "Read remediations, restricted senders and deep health.",
     ["User", "Application"]),
    ("Alerts.Submit", "Submit alerts", "Post Azure Monitor and Sentinel alerts.", ["Application"]),
)
SCOPE = {"id": str(uuid.uuid5(_IDS, "user_impersonation")), "value": "user_impersonation", "type": "Admin",
         "isEnabled": True, "adminConsentDisplayName": "Call the restricted sender responder",
         "adminConsentDescription": "Call the restricted sender responder as the signed-in user; app roles decide "
                                    "what is allowed."}


def identifier_uri(tenant_id: str) -> str:
    """A form Entra's default app management policy accepts without a verified domain."""
    return f"api://{tenant_id}/restricted-sender-responder"


def app_roles() -> list[dict]:
    return [{"id": str(uuid.uuid5(_IDS, value)), "value": value, "displayName": name, "description": text,
             "allowedMemberTypes": members, "isEnabled": True} for value, name, text, members in ROLES]


def _api(current: dict, *, pre_authorize: bool) -> dict:
    scopes = list(current.get("oauth2PermissionScopes") or [])
    if not any(scope.get("value") == SCOPE["value"] for scope in scopes):
        scopes.append(SCOPE)
    scope_id = next(scope["id"] for scope in scopes if scope.get("value") == SCOPE["value"])
    api = {**current, "requestedAccessTokenVersion": 2, "oauth2PermissionScopes": scopes}
    if pre_authorize:
        others = [item for item in current.get("preAuthorizedApplications") or [] if item.get("appId") != AZURE_CLI]
        api["preAuthorizedApplications"] = others + [{"appId": AZURE_CLI, "delegatedPermissionIds": [scope_id]}]
    return api


def patch_for(app: dict) -> dict:
    """The properties to PATCH so that `app` has what we need (empty: nothing)."""
    patch = {}
    held = {role.get("value") for role in app.get("appRoles") or []}
    missing = [role for role in app_roles() if role["value"] not in held]
    if missing:
        patch["appRoles"] = list(app.get("appRoles") or []) + missing
    wanted = _api(app.get("api") or {}, pre_authorize=True)
    if wanted != (app.get("api") or {}):
        patch["api"] = wanted
    return patch


async def ensure(graph: TenantGraph, tenant_id: str, *, dry_run: bool) -> tuple[str | None, list[Change]]:
    """(the application id, or None when a dry run would create it; what changed)."""
    uri = identifier_uri(tenant_id)
    app = await graph.application_by_uri(uri)
    if app is None:
        change = Change(CREATE, f"app registration '{NAME}' ({uri}), app roles "
                                f"{', '.join(role[0] for role in ROLES)}, v2 tokens")
        if dry_run:
            return None, [change, Change(CREATE, f"service principal of '{NAME}' (role assignment required)")]
        app = await graph.create_application({"displayName": NAME, "signInAudience": "AzureADMyOrg",
                                              "identifierUris": [uri], "appRoles": app_roles(),
                                              "api": _api({}, pre_authorize=False)})
        # The scope must exist before Azure CLI can be pre-authorized for it.
        await graph.update_application(app["id"], {"api": _api(app.get("api") or {}, pre_authorize=True)})
        changes = [change]
    else:
        patch = patch_for(app)
        changes = [Change(UPDATE if patch else UNCHANGED,
                          f"app registration '{app.get('displayName')}' ({uri})"
                          + (f": {', '.join(sorted(patch))}" if patch else ""))]
        if patch and not dry_run:
            await graph.update_application(app["id"], patch)
    principal = await graph.service_principal(app["appId"])
    if principal is None and not dry_run:
        await graph.create_service_principal(app["appId"], assignment_required=True)   # a role or no token
    changes.append(Change(CREATE if principal is None else UNCHANGED, f"service principal of '{NAME}'"))
    return app["appId"], changes


async def grant_alerts_submit(graph: TenantGraph, api_app_id: str | None, client_app_id: str, client_name: str, *,
                              dry_run: bool) -> list[Change]:
    """`Alerts.Submit` for a client app (Azure Monitor's secure webhooks), its service principal
    created first when the tenant has none."""
    what = f"Alerts.Submit for {client_name}"
    api = await graph.service_principal(api_app_id) if api_app_id else None
    if api is None:   # a dry run that would create the API app
        return [Change(CREATE, what)]
    client = await graph.service_principal(client_app_id)
    changes = []
    if client is None:
        changes.append(Change(CREATE, f"service principal of {client_name}"))
        if dry_run:
            return changes + [Change(CREATE, what)]
        client = await graph.create_service_principal(client_app_id)
    role_id = api.app_roles.get("Alerts.Submit")
    if role_id is None:
        return changes + [Change(MANUAL, f"{what}: the API's service principal has no such role yet; run again")]
    if (api.id, role_id) in await graph.app_role_ids(client.id):
        return changes + [Change(UNCHANGED, what)]
    if not dry_run:
        await graph.grant_app_role(client.id, api.id, role_id)
    return changes + [Change(CREATE, what)]
