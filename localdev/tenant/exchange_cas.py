"""Get-CASMailbox / Set-CASMailbox: a mailbox's client access protocols.

Get-CASMailbox's object as Exchange Online lists it (learn.microsoft.com, Get-CASMailbox;
Set-CASMailbox): the protocol switches are booleans, SmtpClientAuthenticationDisabled is
null while the mailbox follows the organization's setting (Set-TransportConfig) and True or
False when the mailbox overrides it. Set-CASMailbox accepts $null there to go back to the
organization's setting.
"""

from __future__ import annotations

from localdev.tenant import exchange_errors as errors
from localdev.tenant.exchange_cmdlets import Cmdlet, Params, mailbox_user
from localdev.tenant.exchange_format import record
from localdev.tenant.exchange_mailbox import alias
from localdev.tenant.state import TenantState

# The protocols the sandbox keeps per mailbox; the others are always on.
SWITCHES = ("PopEnabled", "ImapEnabled")
SMTP_AUTH = "SmtpClientAuthenticationDisabled"


def cas_object(user: dict) -> dict:
    box = user["mailbox"]
    return record(
        ("ActiveSyncEnabled", True),
        ("DisplayName", user.get("displayName")),
        ("EwsEnabled", True),
        ("ExternalDirectoryObjectId", user["id"]),
        ("Identity", alias(user)),
        ("ImapEnabled", bool(box.get("ImapEnabled", True))),
        ("MAPIEnabled", True),
        ("Name", alias(user)),
        ("OWAEnabled", True),
        ("PopEnabled", bool(box.get("PopEnabled", True))),
        ("PrimarySmtpAddress", user["mail"]),
        (SMTP_AUTH, box.get(SMTP_AUTH)),
    )


def get_cas_mailbox(state: TenantState, params: Params) -> list[dict]:
    return [cas_object(mailbox_user(state, params["Identity"]))]


def set_cas_mailbox(state: TenantState, params: Params) -> list[dict]:
    box = mailbox_user(state, params["Identity"])["mailbox"]
    for name in SWITCHES + (SMTP_AUTH,):
        if name not in params:
            continue
        value = params[name]
        if not isinstance(value, bool) and not (name == SMTP_AUTH and value is None):
            raise errors.invalid_argument("Set-CASMailbox", name, value, "cannot be converted to System.Boolean")
        box[name] = value
    return []


CMDLETS = {cmdlet.name.lower(): cmdlet for cmdlet in (
    Cmdlet("Get-CASMailbox", get_cas_mailbox, ("Identity", "ResultSize"), ("Identity",)),
    Cmdlet("Set-CASMailbox", set_cas_mailbox, ("Identity",) + SWITCHES + (SMTP_AUTH,), ("Identity",)),
)}
