"""Mailboxes as Exchange sees the tenant's users: identity resolution, recipients, Get-Mailbox objects."""

from __future__ import annotations

import uuid

from localdev.tenant.exchange_format import exchange_datetime, record
from localdev.tenant.state import TenantState, smtp_addresses

# Exchange Online's organization and administrative group in every legacyExchangeDN.
LEGACY_DN_PREFIX = "/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn="


def alias(user: dict) -> str:
    return user.get("alias") or user["userPrincipalName"].partition("@")[0]


def find_mailbox(state: TenantState, identity: str) -> dict | None:
    """A user with a mailbox by any identity Exchange accepts here: object id, UPN, primary or
    proxy address, alias or display name (case-insensitive)."""
    key = str(identity).strip()
    if key.lower().startswith("smtp:"):
        key = key[5:]
    user = state.user(key, by_mail=True)
    if user is None:
        user = next((candidate for candidate in state.users
                     if key.lower() in (alias(candidate).lower(), str(candidate.get("displayName", "")).lower())),
                    None)
    return user if user is not None and user.get("mail") else None


def _object_guid(user: dict, purpose: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_OID, f"{purpose}:{user['id']}"))


def legacy_dn(user: dict) -> str:
    return f"{LEGACY_DN_PREFIX}{_object_guid(user, 'recipient').replace('-', '')}-{alias(user)}"


def render_recipient(state: TenantState, recipient: dict) -> str:
    """A Graph recipient as Exchange prints it: `"Name" [SMTP:addr]` for an outside address,
    `"Name" [EX:<legacyExchangeDN>]` for a recipient of the organization."""
    address = (recipient.get("emailAddress") or {}).get("address", "")
    name = (recipient.get("emailAddress") or {}).get("name") or address
    user = find_mailbox(state, address) if address else None
    if user is not None:
        return f'"{user.get("displayName") or name}" [EX:{legacy_dn(user)}]'
    return f'"{name}" [SMTP:{address}]'


def smtp_prefixed(address: str | None) -> str | None:
    """ForwardingSmtpAddress as Exchange returns it: with the `smtp:` prefix."""
    if not address:
        return None
    return address if address.lower().startswith("smtp:") else f"smtp:{address}"


def _email_addresses(state: TenantState, user: dict) -> list[str]:
    """The directory's proxyAddresses (`SMTP:` the primary), plus the address in the initial
    domain Exchange Online gives every mailbox."""
    addresses = list(user.get("proxyAddresses") or [f"SMTP:{user['mail']}"])
    initial = next((domain["id"] for domain in state.domains if domain.get("isInitial")), None)
    moera = f"{alias(user)}@{initial}".lower() if initial else ""
    if initial and moera not in smtp_addresses(user):
        addresses.append(f"smtp:{alias(user)}@{initial}")
    return addresses


def mailbox_object(state: TenantState, user: dict) -> dict:
    """The Get-Mailbox object of a user: a realistic subset of Exchange's ~300 properties."""
    mailbox = user["mailbox"]
    revoked = (state.revocations.get(user["id"]) or [None])[-1]
    created = user.get("createdDateTime") or "2022-09-21T08:07:47Z"
    return record(
        ("AcceptMessagesOnlyFromWithDisplayNames", [], "Strings"),
        ("Alias", alias(user)),
        ("DatabaseGuid", _object_guid(user, "database"), "Guid"),
        ("DeliverToMailboxAndForward", bool(mailbox.get("DeliverToMailboxAndForward"))),
        ("DisplayName", user.get("displayName")),
        ("EmailAddresses", _email_addresses(state, user), "Strings"),
        ("ExchangeGuid", _object_guid(user, "mailbox"), "Guid"),
        ("ExternalDirectoryObjectId", user["id"]),
        ("ForwardingAddress", mailbox.get("ForwardingAddress")),
        ("ForwardingSmtpAddress", smtp_prefixed(mailbox.get("ForwardingSmtpAddress"))),
        ("GrantSendOnBehalfTo", list(user.get("grantSendOnBehalfTo") or []), "Strings"),
        ("Guid", _object_guid(user, "recipient"), "Guid"),
        ("HiddenFromAddressListsEnabled", False),
        ("Identity", alias(user)),
        ("IsDirSynced", bool(user.get("onPremisesSyncEnabled"))),
        ("IsMailboxEnabled", True),
        ("Languages", ["en-US"], "Strings"),
        ("LegacyExchangeDN", legacy_dn(user)),
        ("Name", alias(user)),
        ("PitrCopyIntervalInSeconds", 0, "Int16"),
        ("PrimarySmtpAddress", user["mail"]),
        ("ProhibitSendQuota", "99 GB (106,300,440,576 bytes)"),
        ("RecipientSoftDeletedStatus", 0, "Int32"),
        ("RecipientType", "UserMailbox"),
        ("RecipientTypeDetails", "UserMailbox"),
        ("AccountDisabled", not user.get("accountEnabled", True)),
        ("StsRefreshTokensValidFrom", exchange_datetime(revoked or created), "DateTime"),
        ("UserPrincipalName", user["userPrincipalName"]),
        ("WhenMailboxCreated", exchange_datetime(created), "DateTime"),
    )
