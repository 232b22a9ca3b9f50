"""The API app registration: what a PATCH must add, keeping what is already there."""

from remediation.setup.api_app import AZURE_CLI, SCOPE, patch_for, app_roles


def complete() -> dict:
    api = {"requestedAccessTokenVersion": 2, "oauth2PermissionScopes": [SCOPE],
           "preAuthorizedApplications": [{"appId": AZURE_CLI, "delegatedPermissionIds": [SCOPE["id"]]}]}
    return {"appRoles": app_roles(), "api": api}


def test_a_complete_registration_needs_nothing():
    assert patch_for(complete()) == {}


def test_a_missing_role_is_added_and_the_others_kept():
    app = complete()
    other = {"id": "1", "value": "Custom.Role", "isEnabled": True}
    app["appRoles"] = [other] + [role for role in app_roles() if role["value"] != "Alerts.Submit"]
    patch = patch_for(app)
    assert set(patch) == {"appRoles"}
    assert other in patch["appRoles"] and "Alerts.Submit" in {role["value"] for role in patch["appRoles"]}


def test_v1_tokens_are_switched_to_v2_keeping_existing_scopes():
    app = complete()
    app["api"]["requestedAccessTokenVersion"] = 1
    mine = {"id": "2", "value": "other_scope"}
    app["api"]["oauth2PermissionScopes"].append(mine)
    patch = patch_for(app)
    assert patch["api"]["requestedAccessTokenVersion"] == 2 and mine in patch["api"]["oauth2PermissionScopes"]


def test_role_ids_are_the_same_on_every_run():
    assert app_roles() == app_roles()
