"""A mailbox's delegates and the recipients they name, as Exchange Online lists and changes them.

Get-MailboxPermission (learn.microsoft.com): one entry per trustee, `User`, `AccessRights`
(a collection: FullAccess, ReadPermission, ...), `IsInherited`, `Deny`, `InheritanceType`;
every mailbox lists `NT AUTHORITY\\SELF` {FullAccess, ReadPermission}. Get-RecipientPermission:
`Trustee`, `AccessControlType`, `AccessRights` {SendAs}, `IsInherited`; every mailbox lists
`NT AUTHORITY\\SELF` SendAs. GrantSendOnBehalfTo is a property of Get-Mailbox (exchange_mailbox.py).
Removing an entry that is not there fails with ManagementObjectNotFoundException.

Scenario keys on a user (Exchange's shapes, what the scenario adds to the defaults):
`mailboxPermissions: [{User, AccessRights: [FullAccess]}]`, `recipientPermissions: [{Trustee,
AccessRights: [SendAs]}]`, `grantSendOnBehalfTo: [<identity>]`; mail contacts in
`exchange.recipients: [{Identity, ExternalEmailAddress: "SMTP:..."}]`.
"""

from __future__ import annotations

from localdev.tenant import exchange_errors as errors
from localdev.tenant.exchange_cmdlets import Cmdlet, Params, mailbox_user
from localdev.tenant.exchange_format import record
from localdev.tenant.exchange_mailbox import alias
from localdev.tenant.exchange_recipients import find_recipient, rights, same, trustee
from localdev.tenant.state import TenantState

SELF = "NT AUTHORITY\\SELF"


# Get-/Add-/Remove-MailboxPermission -------------------------------------------------------------
def _full_access(owner: dict, entry: dict) -> dict:
    return record(("AccessRights", rights(entry.get("AccessRights") or ["FullAccess"]), "Strings"),
                  ("Deny", bool(entry.get("Deny"))), ("Identity", alias(owner)),
                  ("InheritanceType", entry.get("InheritanceType") or "All"),
                  ("IsInherited", bool(entry.get("IsInherited"))), ("IsValid", True), ("User", entry["User"]))


def get_mailbox_permission(state: TenantState, params: Params) -> list[dict]:
    owner = mailbox_user(state, params["Identity"])
    entries = [{"User": SELF, "AccessRights": ["FullAccess", "ReadPermission"], "InheritanceType": "All"}]
    return [_full_access(owner, entry) for entry in entries + owner.setdefault("mailboxPermissions", [])]


def _added(state: TenantState, params: Params, table: str, key: str) -> tuple[dict, dict]:
    """Add-*Permission: the owner and the entry for the trustee (an existing one is kept)."""
    owner = mailbox_user(state, params["Identity"])
    who = trustee(state, params[key])
    entries = owner.setdefault(table, [])
    found = next((entry for entry in entries if same(state, entry[key], who)), None)
    if found is None:
        found = {key: who, "AccessRights": rights(params["AccessRights"])}
        entries.append(found)
    return owner, found


def _removed(state: TenantState, params: Params, table: str, key: str) -> list[dict]:
    """Remove-*Permission: the trustee's own (not inherited) entry goes; none is ManagementObjectNotFound."""
    entries = mailbox_user(state, params["Identity"]).setdefault(table, [])
    who = trustee(state, params[key])
    kept = [entry for entry in entries if entry.get("IsInherited") or not same(state, entry[key], who)]
    if len(kept) == len(entries):
        raise errors.not_found(f"{params['Identity']}\\{params[key]}")
    entries[:] = kept
    return []


def add_mailbox_permission(state: TenantState, params: Params) -> list[dict]:
    return [_full_access(*_added(state, params, "mailboxPermissions", "User"))]


def remove_mailbox_permission(state: TenantState, params: Params) -> list[dict]:
    return _removed(state, params, "mailboxPermissions", "User")


# Get-/Add-/Remove-RecipientPermission -----------------------------------------------------------
def _send_as(owner: dict, entry: dict) -> dict:
    return record(("AccessControlType", "Allow"), ("AccessRights", ["SendAs"], "Strings"),
                  ("Identity", alias(owner)), ("InheritanceType", "None"),
                  ("IsInherited", bool(entry.get("IsInherited"))), ("IsValid", True), ("Trustee", entry["Trustee"]))


def get_recipient_permission(state: TenantState, params: Params) -> list[dict]:
    owner = mailbox_user(state, params["Identity"])
    return [_send_as(owner, entry) for entry in [{"Trustee": SELF}] + owner.setdefault("recipientPermissions", [])]


def add_recipient_permission(state: TenantState, params: Params) -> list[dict]:
    return [_send_as(*_added(state, params, "recipientPermissions", "Trustee"))]


def remove_recipient_permission(state: TenantState, params: Params) -> list[dict]:
    return _removed(state, params, "recipientPermissions", "Trustee")


def get_recipient(state: TenantState, params: Params) -> list[dict]:
    found = find_recipient(state, params["Identity"])
    if found is None:
        raise errors.not_found(str(params["Identity"]))
    return [found]


_PERMISSION = ("Identity", "User", "AccessRights", "InheritanceType", "Deny", "Owner", "AutoMapping")
CMDLETS = {cmdlet.name.lower(): cmdlet for cmdlet in (
    Cmdlet("Get-MailboxPermission", get_mailbox_permission, ("Identity", "User", "Owner", "ResultSize"), ("Identity",)),
    Cmdlet("Add-MailboxPermission", add_mailbox_permission, _PERMISSION, ("Identity", "User", "AccessRights")),
    Cmdlet("Remove-MailboxPermission", remove_mailbox_permission, _PERMISSION[:5] + ("BypassMasterAccountSid",),
           ("Identity", "User", "AccessRights")),
    Cmdlet("Get-RecipientPermission", get_recipient_permission, ("Identity", "Trustee", "AccessRights", "ResultSize"),
           ("Identity",)),
    Cmdlet("Add-RecipientPermission", add_recipient_permission, ("Identity", "Trustee", "AccessRights"),
           ("Identity", "Trustee", "AccessRights")),
    Cmdlet("Remove-RecipientPermission", remove_recipient_permission, ("Identity", "Trustee", "AccessRights"),
           ("Identity", "Trustee", "AccessRights")),
    Cmdlet("Get-Recipient", get_recipient, ("Identity", "ResultSize", "RecipientTypeDetails"), ("Identity",)),
)}
