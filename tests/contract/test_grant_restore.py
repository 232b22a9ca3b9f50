"""The rollback's Directory call: a deleted consent is created again from its snapshot (Graph gives
it a new id), on the fake tenant and on GraphDirectory against the sandbox."""

from __future__ import annotations

from tests.contract.test_containment import ADELE, GRANT, PHISH, load


async def test_a_deleted_grant_is_created_again_from_its_snapshot(tenant):
    load(tenant, servicePrincipals=[PHISH], oauth2PermissionGrants=[GRANT])
    [grant] = await tenant.directory.permission_grants(ADELE)
    await tenant.directory.delete_permission_grant(grant.id)
    await tenant.directory.create_permission_grant(grant)
    [again] = await tenant.directory.permission_grants(ADELE)
    assert (again.client_id, again.consent_type, again.principal_id, again.resource_id, again.scope) == (
        grant.client_id, grant.consent_type, grant.principal_id, grant.resource_id, grant.scope)
