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


def add_mailbox_permission(state: TenantState, params: Params) -> list[dict]:
    owner = mailbox_user(state, params["Identity"])
    user = trustee(state, params["User"])
    entries = owner.setdefault("mailboxPermissions", [])
    if not any(same(state, entry["User"], user) for entry in entries):
        entries.append({"User": user, "AccessRights": rights(params["AccessRights"])})
    return [_full_access(owner, entries[-1])]


def remove_mailbox_permission(state: TenantState, params: Params) -> list[dict]:
    owner = mailbox_user(state, params["Identity"])
    entries = owner.setdefault("mailboxPermissions", [])
    user = trustee(state, params["User"])
    kept = [entry for entry in entries if entry.get("IsInherited") or not same(state, entry["User"], user)]
    if len(kept) == len(entries):
        raise errors.not_found(f"{params['Identity']}\\{params['User']}")
    entries[:] = kept
    return []


# Get-/Add-/Remove-RecipientPermission -----------------------------------------------------------
def _send_as(owner: dict, entry: dict) -> dict:
    return record(("AccessControlType", "Allow"), ("AccessRights", ["SendAs"], "Strings"),
                  ("Identity", alias(owner)), ("InheritanceType", "None"),
                  ("IsInherited", bool(entry.get("IsInherited"))), ("IsValid", True), ("Trustee", entry["Trustee"]))


def get_recipient_permission(state: TenantState, params: Params) -> list[dict]:
    owner = mailbox_user(state, params["Identity"])
    return [_send_as(owner, entry) for entry in [{"Trustee": SELF}] + owner.setdefault("recipientPermissions", [])]


def add_recipient_permission(state: TenantState, params: Params) -> list[dict]:
    owner = mailbox_user(state, params["Identity"])
    who = trustee(state, params["Trustee"])
    entries = owner.setdefault("recipientPermissions", [])
    if not any(same(state, entry["Trustee"], who) for entry in entries):
        entries.append({"Trustee": who, "AccessRights": ["SendAs"]})
    return [_send_as(owner, entries[-1])]


def remove_recipient_permission(state: TenantState, params: Params) -> list[dict]:
    owner = mailbox_user(state, params["Identity"])
    entries = owner.setdefault("recipientPermissions", [])
    who = trustee(state, params["Trustee"])
    kept = [entry for entry in entries if entry.get("IsInherited") or not same(state, entry["Trustee"], who)]
    if len(kept) == len(entries):
        raise errors.not_found(f"{params['Identity']}\\{params['Trustee']}")
    entries[:] = kept
    return []


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
