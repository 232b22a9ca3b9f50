"""Which delegated consents an attacker's phishing app may hold: the policy of `app_consents`.

An illicit-consent attack has the user consent to a multi-tenant app that reads mail or files
through its own refresh token, which a password reset and a session revoke do not end.
"""

from __future__ import annotations

from remediation.tenant_apps import PermissionGrant, ServicePrincipal

PRINCIPAL = "Principal"   # one user consented (AllPrincipals is an admin's consent for everyone)
# The tenants Microsoft's own apps are registered in ("Verify first-party Microsoft applications").
MICROSOFT_TENANTS = frozenset({"f8cdef31-a31e-4b4a-93e4-5f571e91255a", "72f988bf-86f1-41af-91ab-2d7cd011db47"})
# Delegated scopes that read or send the user's mail, mailbox settings, files or contacts.
RISKY_PREFIXES = ("mail.", "mailboxsettings.", "files.", "contacts.")
RISKY_SCOPES = frozenset({"ews.accessasuser.all", "imap.accessasuser.all", "pop.accessasuser.all", "smtp.send"})


def risky_scopes(grant: PermissionGrant) -> list[str]:
    """offline_access alone reaches nothing: it only keeps the other scopes alive."""
    return [scope for scope in grant.scopes
            if scope.lower().startswith(RISKY_PREFIXES) or scope.lower() in RISKY_SCOPES]


def why_trusted(app: ServicePrincipal, tenant_id: str) -> str | None:
    """The reason an app is not suspect, or None."""
    if app.owner_tenant.lower() in MICROSOFT_TENANTS:
        return "a Microsoft app"
    if tenant_id and app.owner_tenant.lower() == tenant_id.lower():
        return "registered in this tenant"
    if app.verified_publisher:
        return f"verified publisher {app.verified_publisher}"
    return None


def removal_reason(grant: PermissionGrant, app: ServicePrincipal, tenant_id: str) -> str | None:
    """Why the grant must go, or None to leave it (listed) for a human."""
    scopes = risky_scopes(grant)
    if grant.consent_type != PRINCIPAL or not scopes or why_trusted(app, tenant_id):
        return None
    return (f"the user consented to {app.display_name or app.app_id!s}, an app from an unverified publisher outside "
            f"this tenant, with {' '.join(scopes)}")
