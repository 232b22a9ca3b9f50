"""The Directory port's containment and evidence calls (auth methods, consents, Identity Protection,
sign-ins), a part of GraphDirectory kept apart for size: it uses GraphDirectory's request helpers."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from kiota_abstractions.method import Method
from msgraph.generated.models.o_data_errors.o_data_error import ODataError

from remediation.errors import LicenceError
from remediation.gateways import graph_shapes
from remediation.gateways.graph_errors import SERVICE, graph_call
from remediation.models import iso
from remediation.tenant import AuthMethod
from remediation.tenant_activity import SignIn
from remediation.tenant_apps import PermissionGrant, ServicePrincipal

NON_PREMIUM = "Authentication_RequestFromNonPremiumTenantOrB2CTenant"   # signIns' 403 without Entra ID P1


def quoted(text: str) -> str:
    """An OData string literal: in single quotes, a quote doubled."""
    return "'" + text.replace("'", "''") + "'"


class GraphContainment:
    @graph_call
    async def delete_auth_method(self, user_id: str, method: AuthMethod) -> None:
        # Each type has its own collection: microsoftAuthenticatorMethods, phoneMethods, fido2Methods...
        await self._send_json(self._at(Method.DELETE, f"/users/{quote(user_id)}/authentication/"
                                                      f"{quote(method.type)}Methods/{quote(method.id)}"))

    @graph_call
    async def permission_grants(self, user_id: str) -> list[PermissionGrant]:
        grants = await self._all_pages(self._user(user_id).oauth2_permission_grants)
        return [graph_shapes.permission_grant(item) for item in grants]

    @graph_call
    async def consented_app(self, principal_id: str) -> ServicePrincipal:
        found = await self._send_json(self.client.service_principals.by_service_principal_id(
            principal_id).to_get_request_information())
        return graph_shapes.service_principal(found)

    @graph_call
    async def delete_permission_grant(self, grant_id: str) -> None:
        await self._send_json(self._at(Method.DELETE, f"/oauth2PermissionGrants/{quote(grant_id)}"))

    @graph_call
    async def create_permission_grant(self, grant: PermissionGrant) -> None:
        body = {key: value for key, value in grant.to_json().items() if key != "id"}
        await self._send_json(self._at(Method.POST, "/oauth2PermissionGrants", body))

    @graph_call
    async def confirm_compromised(self, user_id: str) -> None:
        body = {"userIds": [user_id]}
        await self._send_json(self._at(Method.POST, "/identityProtection/riskyUsers/confirmCompromised", body))

    @graph_call
    async def sign_ins(self, user_id: str, since: datetime) -> list[SignIn]:
        builder = self.client.audit_logs.sign_ins
        try:
            records = await self._filtered(builder, builder.SignInsRequestBuilderGetQueryParameters,
                                           f"userId eq {quoted(user_id)} and createdDateTime ge {iso(since)}")
        except ODataError as exc:
            if exc.error and exc.error.code == NON_PREMIUM:
                raise LicenceError(exc.error.message or NON_PREMIUM, service=SERVICE, code=NON_PREMIUM,
                                   permission="an Entra ID P1 licence") from exc
            raise
        return [graph_shapes.sign_in(record) for record in records if isinstance(record, dict)]
