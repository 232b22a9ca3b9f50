"""`TenantGraph`: the Graph calls of setup and the self-test, about the app itself.

Service principals (by appId, with their app roles), the app role assignments a principal
holds and grants of new ones (`appRoleAssignedTo`), directory role assignments, and the API
app registration. On the same SDK client, retry and error translation as `GraphDirectory`.
Setup runs it as the deploying admin (delegated token); the self-test as the app's identity.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.method import Method

from remediation.gateways.graph import GraphDirectory
from remediation.gateways.graph_errors import translating

READ_APPS = "Application.Read.All"
WRITE_APPS = "Application.ReadWrite.All"


@dataclass(frozen=True)
class Principal:
    id: str
    app_id: str
    display_name: str
    app_roles: dict[str, str] = field(default_factory=dict)   # value -> app role id


@dataclass(frozen=True)
class RoleAssignment:
    role_definition_id: str
    directory_scope_id: str


def _literal(value: str) -> str:
    return value.replace("'", "''")   # an OData string literal doubles its quotes


def _principal(item: dict) -> Principal:
    roles = {role["value"]: role["id"] for role in item.get("appRoles") or [] if role.get("value")}
    return Principal(item["id"], item.get("appId") or "", item.get("displayName") or "", roles)


class TenantGraph(GraphDirectory):
    @translating(READ_APPS)
    async def service_principal(self, app_id: str) -> Principal | None:
        builder = self.client.service_principals
        query = builder.ServicePrincipalsRequestBuilderGetQueryParameters(
            filter=f"appId eq '{_literal(app_id)}'", select=["id", "appId", "displayName", "appRoles"])
        found = await self._all_pages(builder, RequestConfiguration(query_parameters=query))
        return _principal(found[0]) if found else None

    @translating(READ_APPS)
    async def app_role_ids(self, principal_id: str) -> set[tuple[str, str]]:
        """(resource service principal id, app role id) of every app role the principal holds."""
        builder = self.client.service_principals.by_service_principal_id(principal_id).app_role_assignments
        return {(item["resourceId"], item["appRoleId"]) for item in await self._all_pages(builder)}

    @translating("AppRoleAssignment.ReadWrite.All")
    async def grant_app_role(self, principal_id: str, resource_id: str, app_role_id: str) -> None:
        builder = self.client.service_principals.by_service_principal_id(resource_id).app_role_assigned_to
        body = {"principalId": principal_id, "resourceId": resource_id, "appRoleId": app_role_id}
        await self._send_json(self._request(Method.POST, builder, body))

    @translating("RoleManagement.Read.Directory")
    async def directory_roles(self, principal_id: str) -> list[RoleAssignment]:
        builder = self.client.role_management.directory.role_assignments
        query = builder.RoleAssignmentsRequestBuilderGetQueryParameters(
            filter=f"principalId eq '{_literal(principal_id)}'")
        found = await self._all_pages(builder, RequestConfiguration(query_parameters=query))
        return [RoleAssignment(item["roleDefinitionId"], item.get("directoryScopeId") or "/") for item in found]

    @translating("RoleManagement.ReadWrite.Directory")
    async def assign_directory_role(self, principal_id: str, role_definition_id: str, scope: str) -> None:
        body = {"@odata.type": "#microsoft.graph.unifiedRoleAssignment", "principalId": principal_id,
                "roleDefinitionId": role_definition_id, "directoryScopeId": scope}
        await self._send_json(self._request(Method.POST, self.client.role_management.directory.role_assignments,
                                            body))

    @translating(READ_APPS)
    async def application_by_uri(self, identifier_uri: str) -> dict | None:
        builder = self.client.applications
        query = builder.ApplicationsRequestBuilderGetQueryParameters(
            filter=f"identifierUris/any(x:x eq '{_literal(identifier_uri)}')")
        found = await self._all_pages(builder, RequestConfiguration(query_parameters=query))
        return found[0] if found else None

    @translating(WRITE_APPS)
    async def create_application(self, properties: dict) -> dict:
        return await self._send_json(self._request(Method.POST, self.client.applications, properties))

    @translating(WRITE_APPS)
    async def update_application(self, object_id: str, properties: dict) -> None:
        builder = self.client.applications.by_application_id(object_id)
        await self._send_json(self._request(Method.PATCH, builder, properties))

    @translating(WRITE_APPS)
    async def create_service_principal(self, app_id: str, *, assignment_required: bool = False) -> Principal:
        body = {"appId": app_id, "appRoleAssignmentRequired": assignment_required}
        return _principal(await self._send_json(self._request(Method.POST, self.client.service_principals, body)))
