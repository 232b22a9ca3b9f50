"""Every permission the app's identity needs: one table, read by setup, the self-test and the docs.

A row is one grant: a Graph or Management API application permission, `Exchange.ManageAsApp`,
an Exchange cmdlet (granted through the custom role group of the Exchange script), or an
Entra directory role. It names the feature that needs it, why, what fails without it, and
the calls it covers: `METHOD /path` below Graph's `/v1.0` (as the sandbox routes them; a PATCH of
a user also names the property it changes), `InvokeCommand <cmdlet>` for Exchange, `METHOD
/path` below the Management API's tenant feed. tests/unit/test_permissions.py drives every
gateway method and proves each request it sends matches a row.

A feature is on or off by the settings (`FEATURES`); `needed(settings)` is what setup grants.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from remediation.settings import Settings

GRAPH = "graph"                    # Microsoft Graph application permission (app role)
EXCHANGE_APP = "exchange-app"      # Office 365 Exchange Online application permission
EXCHANGE_CMDLET = "exchange-cmdlet"  # an entry of the custom Exchange role group
DIRECTORY_ROLE = "directory-role"  # an Entra role assigned to the identity
MANAGEMENT_API = "management-api"  # Office 365 Management APIs application permission
EXCHANGE_RBAC = "exchange-rbac"    # a permission granted by Exchange RBAC for Applications, scoped

# The first-party apps whose app roles are granted (their appId is the same in every tenant).
RESOURCE_APPS = {
    GRAPH: "00000003-0000-0000-c000-000000000000",            # Microsoft Graph
    EXCHANGE_APP: "00000002-0000-0ff1-ce00-000000000000",     # Office 365 Exchange Online
    MANAGEMENT_API: "c5393580-f805-4401-95e8-94b7a6ef2fc2",   # Office 365 Management APIs
}
USER_ADMINISTRATOR = "fe930be7-5e62-47db-91af-98c3a49a38b1"   # role template id, the same everywhere


def _protects_groups(settings: Settings) -> bool:
    """PROTECTED_ACCOUNTS holds group object ids (anything without an @) besides UPNs."""
    return any("@" not in entry for entry in settings.protected_accounts)


# feature -> (what it is, whether the settings turn it on)
FEATURES: dict[str, tuple[str, Callable[[Settings], bool]]] = {
    "playbook": ("the remediation playbook (every job)", lambda settings: True),
    "notify": ("the summary mail (NOTIFY_SENDER, NOTIFY_RECIPIENTS)",
               lambda settings: bool(settings.notify_sender and settings.notify_recipients)),
    "disable_account": ("blocking sign-in (DISABLE_ACCOUNT_WHEN_MANUAL_RESET, DISABLE_ACCOUNT_ON_RECURRENCE)",
                        lambda settings: settings.disable_account_when_manual_reset
                        or settings.disable_account_on_recurrence),
    "protected_groups": ("groups in PROTECTED_ACCOUNTS", _protects_groups),
    "alerts_v2_poll": ("the Graph security alerts poll (ALERTS_POLL_SCHEDULE)", lambda settings: True),
    "o365_webhook": ("the Management Activity API webhook (O365_WEBHOOK_AUTH_ID)",
                     lambda settings: bool(settings.o365_webhook_auth_id)),
    "selftest": ("the self-test reading the identity's own grants", lambda settings: True),
}


@dataclass(frozen=True)
class Grant:
    kind: str
    name: str
    feature: str
    why: str
    without: str                  # what fails when it is missing
    calls: tuple[str, ...] = ()
    enforce_only: bool = False    # only `enforce` runs a write; in dry-run its absence is a warning

    @property
    def label(self) -> str:
        return {GRAPH: "Graph", EXCHANGE_APP: "Exchange Online", EXCHANGE_CMDLET: "Exchange cmdlet",
                DIRECTORY_ROLE: "Entra role", MANAGEMENT_API: "Management APIs",
                EXCHANGE_RBAC: "Exchange RBAC for Applications"}[self.kind]


def _cmdlet(name: str, why: str, without: str, *, enforce_only: bool = False, feature: str = "playbook") -> Grant:
    return Grant(EXCHANGE_CMDLET, name, feature, why, without, (f"InvokeCommand {name}",), enforce_only)


TABLE: tuple[Grant, ...] = (
    Grant(GRAPH, "User.Read.All", "playbook",
          "read the user (id, UPN, proxy addresses, on-premises sync) named by an alert or the blocked list",
          "every job fails at its first lookup", ("GET /users/{user}", "GET /users")),
    Grant(GRAPH, "Domain.Read.All", "playbook",
          "tell internal from external forwarding targets and spot federated domains",
          "inbox_rules and reset_password cannot classify; the deep health check fails", ("GET /domains",)),
    Grant(GRAPH, "User-PasswordProfile.ReadWrite.All", "playbook", "reset_password: a new random password",
          "reset_password fails, so the unblock never happens", ("PATCH /users/{user} passwordProfile",),
          enforce_only=True),
    Grant(GRAPH, "User.RevokeSessions.All", "playbook", "revoke_sessions after the reset",
          "revoke_sessions fails; the attacker's sessions stay valid", ("POST /users/{user}/revokeSignInSessions",),
          enforce_only=True),
    Grant(GRAPH, "MailboxSettings.ReadWrite", "playbook", "read and disable the inbox's message rules",
          "inbox_rules fails", ("GET /users/{user}/mailFolders/inbox/messageRules",
                                "PATCH /users/{user}/mailFolders/inbox/messageRules/{rule}")),
    Grant(GRAPH, "UserAuthenticationMethod.ReadWrite.All", "playbook",
          "auth_methods: list the registered methods and remove those registered around the block (an attacker's "
          "authenticator would reset the password again through self-service password reset)",
          "auth_methods fails, so the unblock never happens",
          ("GET /users/{user}/authentication/methods",
           "DELETE /users/{user}/authentication/{methodType}/{method}")),
    Grant(GRAPH, "DelegatedPermissionGrant.ReadWrite.All", "playbook",
          "app_consents: list the user's delegated consents and remove an unverified outside app's consent to mail, "
          "files or contacts (its refresh token outlives the password reset); the narrowest permission that can "
          "delete a grant (Directory.ReadWrite.All would be far wider)",
          "app_consents fails, so the unblock never happens",
          ("GET /users/{user}/oauth2PermissionGrants", "DELETE /oauth2PermissionGrants/{grant}",
           "POST /oauth2PermissionGrants")),
    Grant(GRAPH, "IdentityRiskyUser.ReadWrite.All", "playbook",
          "identity_risk: confirm the user compromised, so risk-based Conditional Access sees the risk (Entra ID P2)",
          "identity_risk is skipped with the reason; the unblock still happens",
          ("POST /identityProtection/riskyUsers/confirmCompromised",), enforce_only=True),
    Grant(GRAPH, "AuditLog.Read.All", "playbook",
          "evidence: where the attacker signed in (auditLogs/signIns; the tenant needs Entra ID P1 as well)",
          "the job's evidence says the sign-ins are not available and why; the job runs on",
          ("GET /auditLogs/signIns",)),
    Grant(GRAPH, "User.EnableDisableAccount.All", "disable_account", "block sign-in (accountEnabled false)",
          "the account stays enabled; the step fails", ("PATCH /users/{user} accountEnabled",), enforce_only=True),
    Grant(GRAPH, "GroupMember.Read.All", "protected_groups", "is the user in a protected group (checkMemberGroups)",
          "every job fails at the protected-account gate", ("POST /users/{user}/checkMemberGroups",)),
    Grant(GRAPH, "SecurityAlert.Read.All", "alerts_v2_poll", "poll Graph security alerts (alerts_v2)",
          "the alerts poll fails every run; alerts wait for the sweep", ("GET /security/alerts_v2",)),
    Grant(GRAPH, "Application.Read.All", "playbook",
          "read the app behind a consent (publisher, owner tenant) for app_consents, and the identity's own app "
          "role assignments for the self-test",
          "app_consents fails; the self-test probes each call instead of listing the grants",
          ("GET /servicePrincipals/{id}/appRoleAssignments", "GET /servicePrincipals", "GET /servicePrincipals/{id}")),
    Grant(GRAPH, "RoleManagement.Read.Directory", "selftest", "read the identity's own directory roles",
          "the self-test cannot confirm the User Administrator role",
          ("GET /roleManagement/directory/roleAssignments",)),
    Grant(EXCHANGE_RBAC, "Mail.Send", "notify",
          "send the summary as NOTIFY_SENDER only (RBAC for Applications, scoped to that mailbox; never in Entra, "
          "where it would reach every mailbox)", "no summary mail reaches the security team",
          ("POST /users/{user}/sendMail",)),
    Grant(EXCHANGE_APP, "Exchange.ManageAsApp", "playbook", "call the Exchange admin API (InvokeCommand) app-only",
          "every Exchange cmdlet answers 401: no blocked list, no forwarding, no hidden rules, no unblock"),
    _cmdlet("Get-BlockedSenderAddress", "confirm_block, the sweep, the follow-up", "no job can confirm a block"),
    _cmdlet("Remove-BlockedSenderAddress", "unblock_sender", "the user stays blocked", enforce_only=True),
    _cmdlet("Get-Mailbox", "read the three forwarding fields", "mailbox_forwarding fails"),
    _cmdlet("Set-Mailbox", "clear ForwardingSmtpAddress, ForwardingAddress, DeliverToMailboxAndForward; "
            "edit GrantSendOnBehalfTo (mailbox_delegates, rollback)",
            "forwarding stays in place", enforce_only=True),
    _cmdlet("Get-InboxRule", "see hidden inbox rules (-IncludeHidden), which Graph never lists",
            "inbox_rules fails"),
    _cmdlet("Disable-InboxRule", "disable a hidden rule", "hidden rules stay enabled", enforce_only=True),
    _cmdlet("Enable-InboxRule", "rollback: enable again the rules the job disabled", "a rollback cannot enable rules",
            enforce_only=True),
    _cmdlet("Get-MailboxPermission", "mailbox_delegates: list FullAccess delegates (the snapshot)",
            "mailbox_delegates fails and the unblock waits"),
    _cmdlet("Get-RecipientPermission", "mailbox_delegates: list SendAs delegates (the snapshot)",
            "mailbox_delegates fails and the unblock waits"),
    _cmdlet("Get-Recipient", "mailbox_delegates: the address a delegate's mail goes to (inside or outside)",
            "mailbox_delegates fails and the unblock waits"),
    _cmdlet("Remove-MailboxPermission", "mailbox_delegates: remove FullAccess held outside the tenant",
            "outside FullAccess stays and the unblock waits", enforce_only=True),
    _cmdlet("Remove-RecipientPermission", "mailbox_delegates: remove SendAs held outside the tenant",
            "outside SendAs stays and the unblock waits", enforce_only=True),
    _cmdlet("Add-MailboxPermission", "rollback: give back FullAccess the job removed",
            "a rollback cannot restore FullAccess", enforce_only=True),
    _cmdlet("Add-RecipientPermission", "rollback: give back SendAs the job removed",
            "a rollback cannot restore SendAs", enforce_only=True),
    _cmdlet("Get-CASMailbox", "legacy_protocols: read SMTP AUTH, POP and IMAP (the snapshot)",
            "legacy_protocols fails and the unblock waits"),
    _cmdlet("Set-CASMailbox", "legacy_protocols: turn SMTP AUTH, POP and IMAP off; rollback restores them",
            "legacy protocols stay open and the unblock waits", enforce_only=True),
    _cmdlet("Get-MessageTraceV2", "evidence: what the account sent from 48 h before the block (never a body)",
            "the job's evidence says what was sent is not available and why; the job runs on"),
    _cmdlet("Get-ManagementRoleAssignment", "the self-test: which roles the app's role group holds",
            "the self-test cannot check the Exchange cmdlets and probes the read ones instead", feature="selftest"),
    _cmdlet("Get-ManagementRoleEntry", "the self-test: which roles hold each cmdlet",
            "the self-test cannot check the Exchange cmdlets and probes the read ones instead", feature="selftest"),
    _cmdlet("Test-ServicePrincipalAuthorization", "the self-test: is NOTIFY_SENDER in the Mail.Send scope",
            "the self-test cannot check Mail.Send", feature="selftest"),
    Grant(DIRECTORY_ROLE, "User Administrator", "playbook",
          "app-only password resets need a directory role besides the Graph permission (it cannot reset admins: "
          "list them in PROTECTED_ACCOUNTS)", "reset_password answers 403 for every user", enforce_only=True),
    Grant(MANAGEMENT_API, "ActivityFeed.Read", "o365_webhook", "fetch the audit content a webhook notification names",
          "/api/alerts/o365 accepts notifications but no job starts from them",
          ("GET /activity/feed/audit/{id}", "POST /activity/feed/subscriptions/start",
           "GET /activity/feed/subscriptions/list")),
)


# What `python -m remediation.setup` needs of the admin who runs it (delegated permissions of their
# sign-in, besides a role that may grant them: Privileged Role Administrator or Global Administrator).
SETUP_TABLE: tuple[Grant, ...] = (
    Grant(GRAPH, "Application.ReadWrite.All", "setup", "create or update the API app registration",
          "setup cannot create the app registration",
          ("GET /applications", "POST /applications", "PATCH /applications/{id}", "POST /servicePrincipals",
           "GET /servicePrincipals")),
    Grant(GRAPH, "AppRoleAssignment.ReadWrite.All", "setup", "grant the identity its application permissions",
          "setup cannot grant permissions", ("POST /servicePrincipals/{id}/appRoleAssignedTo",
                                             "GET /servicePrincipals/{id}/appRoleAssignments")),
    Grant(GRAPH, "RoleManagement.ReadWrite.Directory", "setup", "assign the User Administrator role",
          "setup cannot assign the directory role", ("POST /roleManagement/directory/roleAssignments",
                                                     "GET /roleManagement/directory/roleAssignments")),
)


def enabled_features(settings: Settings) -> list[str]:
    return [name for name, (_, on) in FEATURES.items() if on(settings)]


def needed(settings: Settings) -> list[Grant]:
    """The rows the settings' features need, in table order."""
    features = set(enabled_features(settings))
    return [grant for grant in TABLE if grant.feature in features]


def of_kind(grants: list[Grant] | tuple[Grant, ...], kind: str) -> list[str]:
    return [grant.name for grant in grants if grant.kind == kind]


def markdown_table() -> str:
    """The permission table of docs/DEPLOY.md (a test keeps the two equal)."""
    lines = ["| grant | kind | feature | why | without it |", "|---|---|---|---|---|"]
    for grant in TABLE:
        lines.append(f"| `{grant.name}` | {grant.label} | {FEATURES[grant.feature][0]} | {grant.why} | "
                     f"{grant.without} |")
    return "\n".join(lines)
