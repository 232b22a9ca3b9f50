"""The cmdlets the sandbox's Exchange admin API runs, over the tenant's state.

Each cmdlet declares its parameters (Exchange's names; the caller's casing does not matter)
and which are mandatory; binding rejects any other name the way PowerShell does. A cmdlet
returns the objects of the response's `value` (an empty list for Set-/Remove-/Disable-).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable

from localdev.tenant import exchange_errors as errors
from localdev.tenant.exchange_format import exchange_datetime, record
from localdev.tenant.exchange_mailbox import find_mailbox, mailbox_object, smtp_prefixed
from localdev.tenant.exchange_recipients import send_on_behalf
from localdev.tenant.exchange_rules import find_rule, inbox_rule
from localdev.tenant.exchange_trace import get_message_trace_v2
from localdev.tenant.state import TenantState, iso

# PowerShell's common parameters: every cmdlet accepts them and the sandbox ignores them.
COMMON = ("Confirm", "WhatIf", "ErrorAction", "WarningAction", "Verbose", "Debug", "InformationAction")
_SMTP = re.compile(r"^(smtp:)?[^@\s]+@[^@\s]+\.[^@\s]+$", re.IGNORECASE)

Params = dict[str, Any]


@dataclass(frozen=True)
class Cmdlet:
    name: str
    run: Callable[[TenantState, Params], list[dict]]
    parameters: tuple[str, ...]
    mandatory: tuple[str, ...] = ()

    def bind(self, raw: dict) -> Params:
        """The caller's parameters under this cmdlet's own names; Exchange's errors for unknown or missing ones."""
        known = {name.lower(): name for name in self.parameters + COMMON}
        bound: Params = {}
        for name, value in raw.items():
            if name.lower() not in known:
                raise errors.unknown_parameter(self.name, name)
            bound[known[name.lower()]] = value
        for name in self.mandatory:
            if bound.get(name) in (None, ""):
                raise errors.missing_parameter(self.name, name)
        return bound


def _address(cmdlet: str, name: str, value: Any) -> str:
    if not isinstance(value, str) or not _SMTP.match(value.strip()):
        raise errors.invalid_argument(cmdlet, name, value, "is not a valid SMTP address")
    return value.strip()


def _switch(cmdlet: str, params: Params, name: str) -> bool:
    value = params.get(name, False)
    if not isinstance(value, bool):
        raise errors.invalid_argument(cmdlet, name, value, "cannot be converted to System.Boolean")
    return value


def _result_size(cmdlet: str, params: Params, items: list) -> list:
    """The first -ResultSize items (a number or "Unlimited")."""
    size = params.get("ResultSize", "Unlimited")
    if str(size).lower() == "unlimited":
        return items
    if not str(size).isdigit():
        raise errors.invalid_argument(cmdlet, "ResultSize", size, "is not a number or 'Unlimited'")
    return items[:int(size)]


def mailbox_user(state: TenantState, identity: Any) -> dict:
    user = find_mailbox(state, str(identity))
    if user is None:
        raise errors.not_found(str(identity))
    return user


# Get-BlockedSenderAddress / Remove-BlockedSenderAddress --------------------------------------
def _listed(state: TenantState) -> list[dict]:
    """The blocked list; an entry whose release delay after a Remove has passed drops off now."""
    now = state.now()
    state.blocked_senders[:] = [entry for entry in state.blocked_senders
                                if not entry.get("releaseAt") or entry["releaseAt"] > iso(now)]
    return state.blocked_senders


def _blocked_sender(entry: dict) -> dict:
    return record(
        ("SenderAddress", entry["SenderAddress"]),
        ("Reason", entry.get("Reason")),
        ("CreatedDatetime", exchange_datetime(entry.get("CreatedDatetime")), "DateTime"),
        ("ChangedDatetime", exchange_datetime(entry.get("ChangedDatetime") or entry.get("CreatedDatetime")),
         "DateTime"),
        ("TemporaryBlock", bool(entry.get("TemporaryBlock"))),
    )


def get_blocked_sender_address(state: TenantState, params: Params) -> list[dict]:
    entries = _listed(state)
    if params.get("SenderAddress") is not None:
        wanted = _address("Get-BlockedSenderAddress", "SenderAddress", params["SenderAddress"]).lower()
        entries = [entry for entry in entries if entry["SenderAddress"].lower() == wanted]
    return [_blocked_sender(entry) for entry in entries]


def remove_blocked_sender_address(state: TenantState, params: Params) -> list[dict]:
    sender = _address("Remove-BlockedSenderAddress", "SenderAddress", params["SenderAddress"])
    _listed(state)
    entry = state.blocked_sender(sender)
    if entry is None:
        raise errors.not_found(sender)
    # Microsoft caps how often one account may be unblocked; past the cap only Support can.
    key = sender.lower()
    if state.unblocks.get(key, 0) >= int(state.exchange["unblockLimit"]):
        raise errors.unblock_limit(sender)
    state.unblocks[key] = state.unblocks.get(key, 0) + 1
    delay = float(state.exchange.get("releaseDelaySeconds") or 0)
    if delay > 0:
        # Microsoft: the release can take up to 24 hours; the entry stays listed meanwhile.
        entry.setdefault("releaseAt", iso(state.now() + timedelta(seconds=delay)))
    else:
        state.blocked_senders.remove(entry)
    return []


# Get-Mailbox / Set-Mailbox ---------------------------------------------------------------------
def get_mailbox(state: TenantState, params: Params) -> list[dict]:
    if params.get("Identity") is not None:
        users = [mailbox_user(state, params["Identity"])]
    else:
        users = [user for user in state.users if user.get("mail")]
    return [mailbox_object(state, user) for user in _result_size("Get-Mailbox", params, users)]


def set_mailbox(state: TenantState, params: Params) -> list[dict]:
    mailbox = mailbox_user(state, params["Identity"])["mailbox"]
    if "ForwardingSmtpAddress" in params:
        value = params["ForwardingSmtpAddress"]
        mailbox["ForwardingSmtpAddress"] = None if value in (None, "") else \
            smtp_prefixed(_address("Set-Mailbox", "ForwardingSmtpAddress", value))
    if "ForwardingAddress" in params:
        value = params["ForwardingAddress"]
        # Exchange shows the recipient it resolved, by name.
        mailbox["ForwardingAddress"] = None if value in (None, "") else mailbox_user(state, value).get("displayName")
    if "DeliverToMailboxAndForward" in params:
        mailbox["DeliverToMailboxAndForward"] = _switch("Set-Mailbox", params, "DeliverToMailboxAndForward")
    if "GrantSendOnBehalfTo" in params:
        send_on_behalf(state, mailbox_user(state, params["Identity"]), params["GrantSendOnBehalfTo"])
    return []


# Get-InboxRule / Disable-InboxRule -------------------------------------------------------------
def _rule_owner(state: TenantState, cmdlet: str, params: Params) -> dict:
    """The mailbox of -Mailbox, or of the `mailbox\\rule` form of -Identity."""
    if params.get("Mailbox") not in (None, ""):
        return mailbox_user(state, params["Mailbox"])
    identity = str(params.get("Identity") or "")
    if "\\" in identity:
        return mailbox_user(state, identity.rpartition("\\")[0])
    raise errors.missing_parameter(cmdlet, "Mailbox")


def get_inbox_rule(state: TenantState, params: Params) -> list[dict]:
    user = _rule_owner(state, "Get-InboxRule", params)
    include_hidden = _switch("Get-InboxRule", params, "IncludeHidden")
    if params.get("Identity") not in (None, ""):
        rule = find_rule(user, params["Identity"], include_hidden=include_hidden)
        if rule is None:
            raise errors.not_found(str(params["Identity"]))
        rules = [rule]
    else:
        rules = [rule for rule in user["inboxRules"] if include_hidden or not rule.get("hidden")]
    rules = sorted(rules, key=lambda rule: rule.get("sequence") or 0)
    return [inbox_rule(state, user, rule) for rule in _result_size("Get-InboxRule", params, rules)]


def _switch_rule(cmdlet: str, enabled: bool) -> Callable[[TenantState, Params], list[dict]]:
    def run(state: TenantState, params: Params) -> list[dict]:
        user = _rule_owner(state, cmdlet, params)
        rule = find_rule(user, params["Identity"])
        if rule is None:
            raise errors.not_found(str(params["Identity"]))
        rule["isEnabled"] = enabled   # disabling a disabled rule (enabling an enabled one) succeeds, as in Exchange
        return []
    return run


disable_inbox_rule = _switch_rule("Disable-InboxRule", False)
enable_inbox_rule = _switch_rule("Enable-InboxRule", True)


CMDLETS = {cmdlet.name.lower(): cmdlet for cmdlet in (
    Cmdlet("Get-BlockedSenderAddress", get_blocked_sender_address, ("SenderAddress",)),
    Cmdlet("Remove-BlockedSenderAddress", remove_blocked_sender_address, ("SenderAddress", "Reason"),
           ("SenderAddress",)),
    Cmdlet("Get-Mailbox", get_mailbox, ("Identity", "ResultSize")),
    Cmdlet("Set-Mailbox", set_mailbox, ("Identity", "ForwardingSmtpAddress", "ForwardingAddress",
                                        "DeliverToMailboxAndForward", "GrantSendOnBehalfTo", "Force"), ("Identity",)),
    Cmdlet("Get-InboxRule", get_inbox_rule, ("Mailbox", "Identity", "IncludeHidden", "ResultSize",
                                             "DescriptionTimeFormat", "DescriptionTimeZone")),
    # The sandbox implements these of its parameters (the others are refused as unknown).
    Cmdlet("Get-MessageTraceV2", get_message_trace_v2, ("SenderAddress", "StartDate", "EndDate", "ResultSize",
                                                        "StartingRecipientAddress")),
    Cmdlet("Disable-InboxRule", disable_inbox_rule, ("Identity", "Mailbox", "Force", "AlwaysDeleteOutlookRulesBlob"),
           ("Identity",)),
    Cmdlet("Enable-InboxRule", enable_inbox_rule, ("Identity", "Mailbox", "Force", "AlwaysDeleteOutlookRulesBlob"),
           ("Identity",)),
)}
