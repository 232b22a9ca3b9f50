"""Graph's objects as the tenant's models (remediation/tenant.py): messageRule, authenticationMethod,
domain, alerts_v2, oAuth2PermissionGrant, servicePrincipal. Graph's shapes are read here and nowhere else."""

from __future__ import annotations

import base64
import binascii

from remediation.models import parse_iso
from remediation.tenant import (
    FORWARD_AS_ATTACHMENT_TO, FORWARD_TO, GRAPH, REDIRECT_TO, AuthMethod, Domain, InboxRule, RuleRecipient,
    SecurityAlert,
)
from remediation.tenant_activity import SignIn
from remediation.tenant_apps import PermissionGrant, ServicePrincipal

FORWARD_ACTIONS = (FORWARD_TO, FORWARD_AS_ATTACHMENT_TO, REDIRECT_TO)


def rule_identity(graph_id: str) -> str | None:
    """Exchange's RuleIdentity of a Graph messageRule: the decimal of the id's 8 bytes read little-endian."""
    try:
        raw = base64.b64decode(graph_id, validate=True)
    except (binascii.Error, ValueError):
        return None
    return str(int.from_bytes(raw, "little")) if len(raw) == 8 else None


def _recipients(actions: dict) -> tuple[RuleRecipient, ...]:
    return tuple(RuleRecipient(action, address) for action in FORWARD_ACTIONS for item in actions.get(action) or []
                 if (address := ((item or {}).get("emailAddress") or {}).get("address") or ""))


def inbox_rule(rule: dict) -> InboxRule:
    actions = rule.get("actions") or {}
    return InboxRule(
        source=GRAPH, name=rule.get("displayName") or "", enabled=bool(rule.get("isEnabled", True)),
        id=rule.get("id"), identity=rule_identity(rule.get("id") or ""), recipients=_recipients(actions),
        deletes=bool(actions.get("delete") or actions.get("permanentDelete")),
        move_to=actions.get("moveToFolder") or None, copy_to=actions.get("copyToFolder") or None,
        categories=tuple(actions.get("assignCategories") or ()), importance=actions.get("markImportance") or None,
        marks_read=bool(actions.get("markAsRead")), stops=bool(actions.get("stopProcessingRules")))


def auth_method(method: dict) -> AuthMethod:
    kind = (method.get("@odata.type") or "").rpartition(".")[2].removesuffix("AuthenticationMethod")
    return AuthMethod(
        id=method.get("id") or "", type=kind,
        # createdDateTime on most methods, creationDateTime on FIDO2 keys.
        created=method.get("createdDateTime") or method.get("creationDateTime") or None,
        display_name=method.get("displayName") or "", phone_number=method.get("phoneNumber") or "",
        email_address=method.get("emailAddress") or "")


def domain(item: dict) -> Domain:
    return Domain(id=item["id"], authentication_type=item.get("authenticationType") or "Managed",
                  is_verified=item.get("isVerified") is True)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _evidence_user(evidence: dict) -> str:
    kind = _text(evidence.get("@odata.type")).rpartition(".")[2]
    if kind == "userEvidence":
        account = evidence.get("userAccount")
        return _text(account.get("userPrincipalName")) if isinstance(account, dict) else ""
    if kind == "mailboxEvidence":
        return _text(evidence.get("primaryAddress")) or _text(evidence.get("upn"))
    return ""   # other evidence (a process's userAccount, SYSTEM) names no user to remediate


def _moment(text: object):
    try:
        return parse_iso(text) if isinstance(text, str) else None
    except ValueError:
        return None


def security_alert(alert: dict) -> SecurityAlert:
    evidence = alert.get("evidence") if isinstance(alert.get("evidence"), list) else []
    users = [_evidence_user(item) for item in evidence if isinstance(item, dict)]
    return SecurityAlert(id=_text(alert.get("id")), provider_alert_id=_text(alert.get("providerAlertId")),
                         title=_text(alert.get("title")),
                         last_updated=_moment(alert.get("lastUpdateDateTime")), users=tuple(filter(None, users)))


def sign_in(record: dict) -> SignIn:
    """One auditLogs/signIns record: its time, IP address, location and client app."""
    location = record.get("location") if isinstance(record.get("location"), dict) else {}
    return SignIn(created=_moment(record.get("createdDateTime")), ip=_text(record.get("ipAddress")),
                  country=_text(location.get("countryOrRegion")), city=_text(location.get("city")),
                  client_app=_text(record.get("clientAppUsed")))


def permission_grant(item: dict) -> PermissionGrant:
    return PermissionGrant(id=item["id"], client_id=item.get("clientId") or "",
                           consent_type=item.get("consentType") or "", principal_id=item.get("principalId"),
                           resource_id=item.get("resourceId") or "", scope=item.get("scope") or "")


def service_principal(item: dict) -> ServicePrincipal:
    publisher = item.get("verifiedPublisher") or {}
    return ServicePrincipal(id=item["id"], app_id=item.get("appId") or "", display_name=item.get("displayName") or "",
                            owner_tenant=item.get("appOwnerOrganizationId") or "",
                            verified_publisher=publisher.get("verifiedPublisherId") or "")
