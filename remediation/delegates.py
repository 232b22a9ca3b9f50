"""Which of a mailbox's delegates mailbox_delegates removes: FullAccess, SendAs and SendOnBehalf
held by someone outside the tenant's verified domains. An attacker who grants a guest or an
outside contact one of them reads or sends as the user after every password reset.

Inherited entries (from the organization's admins) and `NT AUTHORITY\\...` (the mailbox itself)
are not the user's delegates; deny entries take rights away. A trustee Exchange cannot
resolve to an address is listed for a human, never removed blindly.
"""

from __future__ import annotations

from remediation.rules import Domains
from remediation.tenant import FULL_ACCESS, SEND_AS, SEND_ON_BEHALF, Delegate, Recipient

RIGHTS = (FULL_ACCESS, SEND_AS, SEND_ON_BEHALF)
OUTSIDE, INSIDE, UNRESOLVED = "outside", "inside", "unresolved"
# A guest's UPN in the host tenant: `name_their.domain#EXT#@host.onmicrosoft.com`.
GUEST_MARKER = "#ext#"
SYSTEM_PREFIXES = ("nt authority\\", "s-1-5-")


def reviewed(delegates: list[Delegate]) -> list[Delegate]:
    """The delegates the user (or whoever holds their password) could have granted."""
    return [delegate for delegate in delegates
            if delegate.right in RIGHTS and not delegate.inherited and not delegate.deny
            and not delegate.trustee.lower().startswith(SYSTEM_PREFIXES)]


def place(delegate: Delegate, recipient: Recipient | None, domains: Domains) -> str:
    """Where the trustee is: a guest is outside whatever its address; else by its address's domain."""
    if GUEST_MARKER in delegate.trustee.lower() or (recipient and recipient.kind == "GuestMailUser"):
        return OUTSIDE
    if recipient is None or "@" not in recipient.address:
        return UNRESOLVED
    return INSIDE if recipient.address.rpartition("@")[2].lower() in domains.names else OUTSIDE


def record(delegate: Delegate, recipient: Recipient | None, where: str) -> dict:
    """A delegate as the job's snapshot keeps it (rollback adds it back from this)."""
    return {**delegate.to_json(), "address": recipient.address if recipient else None, "where": where}


def describe(item: dict) -> str:
    address = f" <{item['address']}>" if item.get("address") and item["address"] != item["trustee"] else ""
    return f"{item['right']} held by {item['trustee']}{address}"
