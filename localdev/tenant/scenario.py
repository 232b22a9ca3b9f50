"""Scenario files: the tenant the sandbox plays, in YAML or JSON (JSON is YAML, so one loader reads both).

    tenant:
      id: 9188040d-6c67-4c5b-b112-36a304b66dad    # GUID; URLs may name the tenant by GUID or by any domain
      domains:
        - {id: contoso.com, authenticationType: Managed, isDefault: true, isVerified: true}
        - {id: contoso.onmicrosoft.com, authenticationType: Managed, isInitial: true}
        - {id: fabrikam.com, authenticationType: Federated}
    permissions:
      withheld: [User.RevokeSessions.All]    # routes needing them answer 403 (graph.PERMISSIONS lists them)
    users:
      - id: 5f1c...                          # object id; derived from the UPN when absent
        userPrincipalName: adele@contoso.com
        displayName: Adele Vance
        mail: adele@contoso.com              # default: the UPN
        proxyAddresses: [SMTP:adele@contoso.com, smtp:adele.vance@contoso.com]   # default: [SMTP:<mail>]
        accountEnabled: true
        onPremisesSyncEnabled: null          # true for a user synced from on-premises AD
        memberOf: []                         # group object ids (checkMemberGroups)
        inboxRules:                          # Graph messageRule shape; `hidden: true`: only -IncludeHidden shows it
          - {id: "AQAAAJ5dZp8=", displayName: ..., sequence: 1, isEnabled: true, conditions: {}, actions: {}}
        mailbox: {ForwardingSmtpAddress: "smtp:x@mail.example", ForwardingAddress: null, PopEnabled: true,
                  ImapEnabled: true, SmtpClientAuthenticationDisabled: null,   # Get-CASMailbox; null: the org default
                  DeliverToMailboxAndForward: true}
        authenticationMethods: []            # Graph authenticationMethod objects with @odata.type (and createdDateTime)
        defaultMethod: <method id>           # the default sign-in method: Graph refuses to delete it while others exist
        mailFolders: [{id: ..., displayName: RSS Feeds}]   # names for moveToFolder ids (Get-InboxRule shows names)
        sentSpam: {count: 300, from: now-20h, to: now-1h, domains: [...], subjects: [...]}   # exchange_trace.py
        messageTrace: [{Received: now-2h, RecipientAddress: x@mail.example, Subject: ..., Status: Delivered}]
        signIns:                             # auditLogs/signIns (graph_audit.py)
          - {createdDateTime: now-1d, ipAddress: 203.0.113.45, location: {city: Lagos, countryOrRegion: NG},
             clientAppUsed: Authenticated SMTP}
        mailboxPermissions: [{User: x@fabrikam.com, AccessRights: [FullAccess]}]   # Get-MailboxPermission (+ SELF)
        recipientPermissions: [{Trustee: <identity>, AccessRights: [SendAs]}]     # Get-RecipientPermission (+ SELF)
        grantSendOnBehalfTo: [<identity>]                                           # Get-Mailbox's GrantSendOnBehalfTo
        # any other Graph user property (givenName, jobTitle, ...) is served as given
    blockedSenders:
      - {SenderAddress: adele@contoso.com, Reason: "...", CreatedDatetime: now-1h, ChangedDatetime: now-1h,
         TemporaryBlock: false}
    exchange: {unblockLimit: 3, releaseDelaySeconds: 0, pageSize: 1000,
               recipients: [{Identity: Invoices Desk, ExternalEmailAddress: "SMTP:x@mail.example"}]}   # mail contacts
    graph: {pageSize: 100, premium: true}   # premium false: no Entra ID P1 (signIns answer 403)
    alerts: []                               # Graph security alerts_v2 objects
    entra:
      apps: {<clientId>: {secret: ..., roles: [...], oid: <service principal id>?}}
      # a single-page app signing users in (entra_authorize.py): {<clientId>: {spa: {redirectUris: [...]}}}
    faults: []                               # see faults.py
    identity:                                # what the app's managed identity holds (graph_identity.py,
      managedIdentity: {appId: ..., displayName: ...}   #  exchange_roles.py); every key optional
      appRoles: [User.Read.All, ...]         # default: what the app needs, less permissions.withheld
      directoryRoles: [User Administrator]   # the default
      exchangeCmdlets: [Get-Mailbox, ...]    # its Exchange role group; default: every cmdlet served
      mailSendScope: [secops@contoso.com]    # RBAC for Applications' Mail.Send; default: the organization
      servicePrincipals: [{id, appId, displayName, appOwnerOrganizationId, verifiedPublisher: {verifiedPublisherId}}]
      oauth2PermissionGrants: [{id, clientId, consentType: Principal, principalId, resourceId, scope: "Mail.Read"}]
      entraIdP2: true                        # false: riskyUsers answers Microsoft's licence error
    seed: 0                                  # seeds the RNG of fault rates and generated rule ids
    demo: {user: adele@contoso.com}          # notes for tools (make run reads demo.user); the sandbox ignores it

Times: a string `now`, `now-90m`, `now+2h`, `now-3d` (units s, m, h, d) anywhere in the file becomes
that instant in ISO 8601 UTC when the scenario is loaded, so a scenario's "recent" stays recent.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import yaml

from localdev.tenant import faults
from localdev.tenant.state import iso, utcnow

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
TOP_LEVEL = {"tenant", "permissions", "users", "blockedSenders", "exchange", "graph", "alerts", "entra", "faults",
             "identity", "management", "seed", "demo"}
_RELATIVE = re.compile(r"^now(?:([+-])(\d+)([smhd]))?$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class ScenarioError(ValueError):
    pass


def read(path: str | Path) -> dict:
    """Parse a scenario file (YAML or JSON); a bare name means localdev/scenarios/<name>.yaml."""
    candidate = Path(path)
    if not candidate.exists() and not candidate.suffix:
        candidate = SCENARIOS / f"{path}.yaml"
    try:
        text = candidate.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read scenario {path}: {exc}") from exc
    try:
        return yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ScenarioError(f"scenario {path} is not valid YAML/JSON: {exc}") from exc


def resolve(scenario: Any, clock: Callable[[], datetime] = utcnow) -> dict:
    """A validated copy of a parsed scenario with relative and YAML-typed times as ISO strings."""
    if not isinstance(scenario, dict):
        raise ScenarioError("a scenario is a mapping")
    unknown = set(scenario) - TOP_LEVEL
    if unknown:
        raise ScenarioError(f"unknown scenario keys: {', '.join(sorted(unknown))}")
    resolved = _times(scenario, clock())
    for index, user in enumerate(resolved.get("users") or []):
        if not isinstance(user, dict) or not isinstance(user.get("userPrincipalName"), str):
            raise ScenarioError(f"users[{index}] needs a userPrincipalName")
    for index, entry in enumerate(resolved.get("blockedSenders") or []):
        if not isinstance(entry, dict) or not isinstance(entry.get("SenderAddress"), str):
            raise ScenarioError(f"blockedSenders[{index}] needs a SenderAddress")
    try:
        resolved["faults"] = [faults.validate(fault) for fault in resolved.get("faults") or []]
    except faults.FaultSpecError as exc:
        raise ScenarioError(str(exc)) from exc
    return resolved


def load(source: str | Path | dict, clock: Callable[[], datetime] = utcnow) -> dict:
    return resolve(read(source) if isinstance(source, (str, Path)) else source, clock)


def _times(value: Any, now: datetime) -> Any:
    if isinstance(value, dict):
        return {key: _times(item, now) for key, item in value.items()}
    if isinstance(value, list):
        return [_times(item, now) for item in value]
    if isinstance(value, datetime):
        return iso(value if value.tzinfo else value.replace(tzinfo=timezone.utc))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        match = _RELATIVE.match(value.strip())
        if match:
            sign, amount, unit = match.groups()
            offset = timedelta(**{_UNITS[unit]: int(amount)}) if unit else timedelta()
            return iso(now - offset if sign == "-" else now + offset)
    return value
