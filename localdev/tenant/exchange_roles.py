"""Exchange RBAC as the sandbox plays it: which cmdlets the app's role group grants, and the
read cmdlets the self-test asks about it (Get-ManagementRoleAssignment, Get-ManagementRoleEntry,
Test-ServicePrincipalAuthorization), shaped like Microsoft's pages for them.

The scenario's `identity` section says what the app holds in Exchange:
    exchangeCmdlets: [...]    the cmdlets of its custom role group (default: every cmdlet served);
                              any other cmdlet answers CommandNotFoundException, as Exchange does
    mailSendScope: [...]      the mailboxes RBAC for Applications lets it send as
                              (default: the whole organization)
"""

from __future__ import annotations

from typing import Any

from localdev.tenant import exchange_errors as errors
from localdev.tenant.exchange_cmdlets import Cmdlet
from localdev.tenant.exchange_mailbox import find_mailbox
from localdev.tenant.graph_identity import state as directory_state
from localdev.tenant.state import TenantState

APP_ROLE = "RSR responder"
APP_ROLE_GROUP = "Restricted sender responder"
MAIL_SEND_ROLE = "Application Mail.Send"
# The built-in roles that hold each cmdlet the sandbox serves (Get-ManagementRoleEntry "*\<cmdlet>").
BUILT_IN = {
    "Get-BlockedSenderAddress": ("Transport Hygiene",), "Remove-BlockedSenderAddress": ("Transport Hygiene",),
    "Get-Mailbox": ("Mail Recipients", "View-Only Recipients"), "Set-Mailbox": ("Mail Recipients",),
    "Get-InboxRule": ("Mail Recipients",), "Disable-InboxRule": ("Mail Recipients",),
    "Enable-InboxRule": ("Mail Recipients",),
    "Get-CASMailbox": ("Mail Recipients", "View-Only Recipients"), "Set-CASMailbox": ("Mail Recipients",),
    "Get-MailboxPermission": ("Mail Recipients", "View-Only Recipients"),
    "Add-MailboxPermission": ("Mail Recipients",), "Remove-MailboxPermission": ("Mail Recipients",),
    "Get-RecipientPermission": ("Mail Recipients", "View-Only Recipients"),
    "Add-RecipientPermission": ("Mail Recipients",), "Remove-RecipientPermission": ("Mail Recipients",),
    "Get-Recipient": ("Mail Recipients", "View-Only Recipients"),
    "Get-ManagementRoleAssignment": ("Role Management", "View-Only Configuration"),
    "Get-ManagementRoleEntry": ("Role Management", "View-Only Configuration"),
    "Test-ServicePrincipalAuthorization": ("Role Management",),
    "Get-MessageTraceV2": ("Message Tracking", "View-Only Recipients"),
}


def granted(state: TenantState, cmdlet: str) -> bool:
    held = state.identity.get("exchangeCmdlets")
    return held is None or cmdlet.lower() in {name.lower() for name in held}


def _app_cmdlets(state: TenantState) -> list[str]:
    held = state.identity.get("exchangeCmdlets")
    return list(BUILT_IN) if held is None else [name for name in BUILT_IN if granted(state, name)]


def _is_app(state: TenantState, identity: Any) -> bool:
    managed = directory_state(state)["servicePrincipals"][0]
    return str(identity or "").lower() in {managed["id"].lower(), managed["appId"].lower(),
                                           managed["displayName"].lower()}


def get_management_role_assignment(state: TenantState, params: dict) -> list[dict]:
    assignee = params.get("RoleAssignee")
    if assignee not in (None, "") and not _is_app(state, assignee):
        raise errors.not_found(str(assignee))
    assignment = {"Name": f"{APP_ROLE}-{APP_ROLE_GROUP}", "Role": APP_ROLE, "RoleAssigneeName": APP_ROLE_GROUP,
                  "RoleAssigneeType": "RoleGroup", "AssignmentMethod": "Direct", "Enabled": True,
                  "RecipientWriteScope": "Organization", "ConfigWriteScope": "OrganizationConfig"}
    return [assignment] if _app_cmdlets(state) else []


def get_management_role_entry(state: TenantState, params: dict) -> list[dict]:
    """-Identity `Role\\Cmdlet`, either part `*`."""
    role, _, cmdlet = str(params["Identity"]).rpartition("\\")
    entries = [(name, APP_ROLE) for name in _app_cmdlets(state)]
    entries += [(name, built_in) for name, roles in BUILT_IN.items() for built_in in roles]
    return [{"Name": name, "Role": holder, "Identity": f"{holder}\\{name}", "Type": "Cmdlet", "Parameters": []}
            for name, holder in entries
            if role in ("", "*") or holder.lower() == role.lower()
            if cmdlet == "*" or name.lower() == cmdlet.lower()]


def test_service_principal_authorization(state: TenantState, params: dict) -> list[dict]:
    if not _is_app(state, params["Identity"]):
        raise errors.not_found(str(params["Identity"]))
    scope = state.identity.get("mailSendScope")
    row = {"RoleName": MAIL_SEND_ROLE, "GrantedPermissions": "Mail.Send",
           "AllowedResourceScope": "Organization" if scope is None else "RSR notify sender",
           "ScopeType": "Organization" if scope is None else "CustomRecipientScope", "InScope": True}
    if scope is not None and not scope:
        return []
    resource = params.get("Resource")
    if resource not in (None, ""):
        mailbox = find_mailbox(state, str(resource))
        if mailbox is None:
            raise errors.not_found(str(resource))
        addresses = {mailbox["userPrincipalName"].lower(), str(mailbox.get("mail") or "").lower()}
        row["InScope"] = scope is None or bool(addresses & {address.lower() for address in scope})
    return [row]


CMDLETS = {cmdlet.name.lower(): cmdlet for cmdlet in (
    Cmdlet("Get-ManagementRoleAssignment", get_management_role_assignment,
           ("RoleAssignee", "Role", "Identity", "GetEffectiveUsers", "Enabled", "Delegating")),
    Cmdlet("Get-ManagementRoleEntry", get_management_role_entry, ("Identity", "Parameters", "Type"), ("Identity",)),
    Cmdlet("Test-ServicePrincipalAuthorization", test_service_principal_authorization,
           ("Identity", "Resource"), ("Identity",)),
)}
