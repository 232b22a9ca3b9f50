"""The managed identity's grants: exactly the application permissions the enabled features need
(remediation/permissions.py), and the User Administrator role a password reset needs, at the
tenant or in an administrative unit. Grants are only added: one the features no longer need is
reported, for an admin to remove, because removing access is a decision setup should not take.
"""

from __future__ import annotations

from remediation import permissions as table
from remediation.gateways.tenant_grants import Principal, TenantGraph
from remediation.setup.changes import CREATE, MANUAL, UNCHANGED, Change
from remediation.settings import Settings

APP_PERMISSION_KINDS = (table.GRAPH, table.EXCHANGE_APP, table.MANAGEMENT_API)


def wanted_permissions(settings: Settings) -> dict[str, list[str]]:
    """Resource app id -> the permission values the enabled features need from it."""
    wanted: dict[str, list[str]] = {}
    for grant in table.needed(settings):
        if grant.kind in APP_PERMISSION_KINDS:
            wanted.setdefault(table.RESOURCE_APPS[grant.kind], []).append(grant.name)
    return wanted


async def ensure_permissions(graph: TenantGraph, identity: Principal, settings: Settings, *,
                             dry_run: bool) -> list[Change]:
    held = await graph.app_role_ids(identity.id)
    changes = []
    for app_id, values in wanted_permissions(settings).items():
        resource = await graph.service_principal(app_id)
        if resource is None:
            changes.append(Change(MANUAL, f"{app_id} has no service principal in this tenant: "
                                          f"cannot grant {', '.join(values)}"))
            continue
        for value in values:
            role_id = resource.app_roles.get(value)
            if role_id is None:
                changes.append(Change(MANUAL, f"{resource.display_name} has no application permission {value}"))
            elif (resource.id, role_id) in held:
                changes.append(Change(UNCHANGED, f"{resource.display_name}: {value}"))
            else:
                if not dry_run:
                    await graph.grant_app_role(identity.id, resource.id, role_id)
                changes.append(Change(CREATE, f"{resource.display_name}: {value}"))
        unneeded = sorted(value for value, role_id in resource.app_roles.items()
                          if (resource.id, role_id) in held and value not in values)
        if unneeded:
            changes.append(Change(MANUAL, f"{resource.display_name}: {', '.join(unneeded)} held but not needed by "
                                          "the enabled features; remove it by hand if nothing else needs it"))
    return changes


def role_scope(admin_unit: str | None) -> str:
    return f"/administrativeUnits/{admin_unit}" if admin_unit else "/"


async def ensure_directory_role(graph: TenantGraph, identity: Principal, settings: Settings, *,
                                admin_unit: str | None, dry_run: bool) -> list[Change]:
    if table.DIRECTORY_ROLE not in {grant.kind for grant in table.needed(settings)}:
        return []
    scope = role_scope(admin_unit)
    what = f"directory role User Administrator at {scope}"
    held = await graph.directory_roles(identity.id)
    if any(role.role_definition_id == table.USER_ADMINISTRATOR and role.directory_scope_id == scope
           for role in held):
        return [Change(UNCHANGED, what)]
    if not dry_run:
        await graph.assign_directory_role(identity.id, table.USER_ADMINISTRATOR, scope)
    return [Change(CREATE, what)]
