"""What the tenant ports return about consented apps: delegated grants and the apps' service
principals, typed and frozen like remediation/tenant.py."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PermissionGrant:
    """One delegated consent (Graph's oAuth2PermissionGrant): `client_id` is the app's service
    principal, `scope` its space-separated delegated permissions."""

    id: str
    client_id: str
    consent_type: str            # "Principal" (one user consented) or "AllPrincipals" (an admin, for everyone)
    principal_id: str | None
    resource_id: str
    scope: str = ""

    @property
    def scopes(self) -> tuple[str, ...]:
        return tuple(self.scope.split())

    def to_json(self) -> dict:
        """The grant as POST /oauth2PermissionGrants re-creates it (a rollback)."""
        return {"id": self.id, "clientId": self.client_id, "consentType": self.consent_type,
                "principalId": self.principal_id, "resourceId": self.resource_id, "scope": self.scope}


@dataclass(frozen=True)
class ServicePrincipal:
    """An app as this tenant sees it: who owns it and whether its publisher is verified."""

    id: str
    app_id: str
    display_name: str = ""
    owner_tenant: str = ""          # appOwnerOrganizationId
    verified_publisher: str = ""    # verifiedPublisher.verifiedPublisherId ("" if none)
