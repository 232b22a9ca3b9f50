"""The app_consents policy: which delegated consent an attacker's app may hold."""

from __future__ import annotations

import pytest

from remediation.consents import removal_reason, risky_scopes, why_trusted
from remediation.tenant_apps import PermissionGrant, ServicePrincipal

TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"
OUTSIDE = ServicePrincipal("sp1", "app1", "Mail Organizer Pro", owner_tenant="4c5d6e7f-8091-4a2b-b3c4-d5e6f7a8b9c0")


def grant(scope: str, consent_type: str = "Principal") -> PermissionGrant:
    return PermissionGrant("g1", "sp1", consent_type, "user1", "graph", scope)


@pytest.mark.parametrize("scope", ["Mail.Read", "mail.send", "MailboxSettings.ReadWrite", "Files.Read.All",
                                   "Contacts.Read", "EWS.AccessAsUser.All", "IMAP.AccessAsUser.All",
                                   "POP.AccessAsUser.All", "SMTP.Send"])
def test_a_mail_files_or_contacts_scope_is_risky(scope):
    assert risky_scopes(grant(f"openid offline_access {scope}")) == [scope]


def test_offline_access_and_sign_in_scopes_alone_are_not():
    assert risky_scopes(grant("openid profile email offline_access User.Read")) == []


def test_an_unverified_outside_apps_consent_to_mail_is_removed_with_its_reason():
    assert removal_reason(grant("offline_access Mail.Read"), OUTSIDE, TENANT) == (
        "the user consented to Mail Organizer Pro, an app from an unverified publisher outside this tenant, "
        "with Mail.Read")


@pytest.mark.parametrize(("app", "why"), [
    (ServicePrincipal("sp", "a", owner_tenant="f8cdef31-a31e-4b4a-93e4-5f571e91255a"), "a Microsoft app"),
    (ServicePrincipal("sp", "a", owner_tenant="72F988BF-86F1-41AF-91AB-2D7CD011DB47"), "a Microsoft app"),
    (ServicePrincipal("sp", "a", owner_tenant=TENANT), "registered in this tenant"),
    (ServicePrincipal("sp", "a", owner_tenant="other", verified_publisher="1234567"), "verified publisher 1234567"),
])
def test_microsofts_own_this_tenants_and_verified_apps_are_kept(app, why):
    assert why_trusted(app, TENANT) == why
    assert removal_reason(grant("Mail.ReadWrite"), app, TENANT) is None


def test_an_admins_consent_for_everyone_is_listed_not_removed():
    assert removal_reason(grant("Mail.Read", "AllPrincipals"), OUTSIDE, TENANT) is None
