"""The Directory port's containment calls, against the fake tenant and GraphDirectory on the sandbox:
deleting authentication methods, reading and deleting delegated consents, confirming a user compromised."""

from __future__ import annotations

import pytest

from remediation.errors import NotFoundError, PermissionError_, ServiceRejectedError
from remediation.tenant import AuthMethod

ADELE = "5f1c7a2e-3b4d-4e8f-9a01-2b3c4d5e6f70"
PIXEL = "6a5f3c1e-0d2b-4e7a-9c8f-1b2a3d4e5f60"
PHISH = {"id": "7c1e4b2a-0f3d-4a5e-8b6c-9d0e1f2a3b4c", "appId": "e3a1b2c4-5d6e-4f70-8a9b-0c1d2e3f4a5b",
         "displayName": "Mail Organizer Pro", "appOwnerOrganizationId": "4c5d6e7f-8091-4a2b-b3c4-d5e6f7a8b9c0",
         "verifiedPublisher": {"verifiedPublisherId": None}}
GRANT = {"id": "grant-phish", "clientId": PHISH["id"], "consentType": "Principal", "principalId": ADELE,
         "resourceId": "graph-sp", "scope": "offline_access Mail.ReadWrite"}


def load(tenant, *, default_method: str | None = None, **identity) -> None:
    scenario = tenant.scenario()
    scenario["identity"] = {**scenario.get("identity", {}), **identity}
    if default_method:
        next(user for user in scenario["users"] if user.get("id") == ADELE)["defaultMethod"] = default_method
    tenant.load(scenario)


async def test_a_dated_method_is_deleted_through_its_types_endpoint_once(tenant):
    pixel = next(method for method in await tenant.directory.auth_methods(ADELE) if method.id == PIXEL)
    assert pixel.type == "microsoftAuthenticator" and pixel.created
    await tenant.directory.delete_auth_method(ADELE, pixel)
    assert PIXEL not in [method.id for method in await tenant.directory.auth_methods(ADELE)]
    with pytest.raises(NotFoundError, match="not") as caught:
        await tenant.directory.delete_auth_method(ADELE, pixel)
    assert caught.value.code == "itemNotFound"


async def test_the_default_method_is_refused_while_others_exist(tenant):
    load(tenant, default_method=PIXEL)
    with pytest.raises(ServiceRejectedError, match="Cannot delete default method with other methods configured"):
        await tenant.directory.delete_auth_method(ADELE, AuthMethod(PIXEL, "microsoftAuthenticator"))


async def test_a_users_consents_name_their_app_and_a_deleted_one_is_gone(tenant):
    load(tenant, servicePrincipals=[PHISH], oauth2PermissionGrants=[GRANT])
    [grant] = await tenant.directory.permission_grants(ADELE)
    assert (grant.id, grant.consent_type, grant.scopes) == ("grant-phish", "Principal", ("offline_access",
                                                                                         "Mail.ReadWrite"))
    app = await tenant.directory.consented_app(grant.client_id)
    assert (app.display_name, app.owner_tenant, app.verified_publisher) == (
        "Mail Organizer Pro", "4c5d6e7f-8091-4a2b-b3c4-d5e6f7a8b9c0", "")
    await tenant.directory.delete_permission_grant(grant.id)
    assert await tenant.directory.permission_grants(ADELE) == []
    with pytest.raises(NotFoundError, match="does not exist"):
        await tenant.directory.delete_permission_grant(grant.id)


async def test_confirm_compromised_needs_entra_id_p2(tenant):
    await tenant.directory.confirm_compromised(ADELE)
    load(tenant, entraIdP2=False)
    with pytest.raises(PermissionError_, match="premium license") as caught:
        await tenant.directory.confirm_compromised(ADELE)
    assert caught.value.code == "Authentication_RequestFromNonPremiumTenantOrB2CTenant"
    assert caught.value.permission == "IdentityRiskyUser.ReadWrite.All"
