"""The self-test: does the app's identity hold every grant its enabled features need?

For each row of the permission table (remediation/permissions.py) that the settings need, it
gathers evidence as the app itself: the identity's own app role assignments and directory
roles (Graph), each read-only call the playbook depends on (a 403 names what is missing), the
Exchange roles that hold each cmdlet against the roles assigned to the app, and whether RBAC for
Applications lets it send as NOTIFY_SENDER. A finding is ok, missing, warning (missing, but only
`enforce` or the self-test itself needs it) or unknown (nothing could tell). Run it with
`python -m remediation selftest`; `/api/health?deep=true` includes it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Awaitable, Mapping

from remediation import permissions as table
from remediation.errors import PermissionError_, RemediationError
from remediation.gateways.exchange_rbac import ExchangeRbac
from remediation.gateways.tenant_grants import TenantGraph
from remediation.permissions import Grant
from remediation.services.schedules import SERVICE_SOURCE
from remediation.settings import Settings

OK, MISSING, WARNING, UNKNOWN = "ok", "missing", "warning", "unknown"
SETUP = "python -m remediation.setup"
EXCHANGE_SCRIPT = "run the Exchange script that `python -m remediation.setup` writes"


@dataclass(frozen=True)
class Finding:
    grant: Grant
    status: str
    detail: str

    @property
    def fix(self) -> str:
        if self.status == OK:
            return ""
        return EXCHANGE_SCRIPT if self.grant.kind in (table.EXCHANGE_CMDLET, table.EXCHANGE_RBAC) else SETUP

    def to_json(self) -> dict:
        return {"grant": self.grant.name, "kind": self.grant.kind, "feature": self.grant.feature,
                "status": self.status, "detail": self.detail, "fix": self.fix}


@dataclass
class Evidence:
    granted: set[str] | None = None          # app role values the identity holds; None: could not read
    directory_roles: set[str] | None = None  # role definition ids
    probes: dict[str, str | None] | None = None   # grant name -> "" (call worked), the refusal's words,
                                                   # or None (it failed otherwise: nothing learnt)
    exchange: dict[str, bool] | None = None  # cmdlet -> covered by a role assigned to the app
    mail_send: bool | None = None


async def _attempt(call: Awaitable) -> tuple[object, str | None]:
    """(result, ""), or (None, the words of a refusal); other failures (None, None): nothing learnt."""
    try:
        return await call, ""
    except PermissionError_ as exc:
        return None, str(exc)
    except RemediationError:
        return None, None


class SelfTest:
    def __init__(self, settings: Settings, graph: TenantGraph, exchange, *, management=None, client_id: str = "",
                 clock=lambda: datetime.now(timezone.utc)) -> None:
        self.settings, self.graph, self.exchange, self.management = settings, graph, exchange, management
        self.rbac = ExchangeRbac(exchange)
        self.client_id, self.clock = client_id, clock

    async def run(self) -> list[Finding]:
        needed = table.needed(self.settings)
        evidence = Evidence(probes=await self._probes(needed))
        principal = None
        if self.client_id:   # the self-test's own reads also prove (or disprove) their grants
            principal, evidence.probes["Application.Read.All"] = await _attempt(
                self.graph.service_principal(self.client_id))
        if principal is not None:
            evidence.granted = await self._granted(principal.id)
            roles, evidence.probes["RoleManagement.Read.Directory"] = await _attempt(
                self.graph.directory_roles(principal.id))
            evidence.directory_roles = None if roles is None else {role.role_definition_id for role in roles}
        identity = principal.id if principal is not None else self.client_id
        if identity:
            evidence.exchange = await self._exchange_coverage(table.of_kind(needed, table.EXCHANGE_CMDLET), identity)
            if self.settings.notify_sender:
                evidence.mail_send, _ = await _attempt(self.rbac.may_send_as(identity, self.settings.notify_sender))
        return [self._judge(grant, evidence) for grant in needed]

    async def _granted(self, principal_id: str) -> set[str] | None:
        held, _ = await _attempt(self.graph.app_role_ids(principal_id))
        if held is None:
            return None
        names: set[str] = set()
        for app_id in table.RESOURCE_APPS.values():
            resource, _ = await _attempt(self.graph.service_principal(app_id))
            if resource is not None:
                names |= {value for value, role_id in resource.app_roles.items() if (resource.id, role_id) in held}
        return names

    async def _exchange_coverage(self, cmdlets: list[str], identity: str) -> dict[str, bool] | None:
        assigned, _ = await _attempt(self.rbac.assigned_roles(identity))
        if assigned is None:
            return None
        coverage = {}
        for cmdlet in cmdlets:
            holders, _ = await _attempt(self.rbac.roles_holding(cmdlet))
            if holders is not None:
                coverage[cmdlet] = bool(holders & assigned)
        return coverage

    async def _probes(self, needed: list[Grant]) -> dict[str, str]:
        """Each read-only call the playbook depends on, by the grant it proves."""
        calls = {"Domain.Read.All": lambda: self.graph.domains(),
                 "SecurityAlert.Read.All": lambda: self.graph.security_alerts(self.clock(), SERVICE_SOURCE),
                 "Get-BlockedSenderAddress": lambda: self.exchange.blocked_senders()}
        mailbox = self.settings.notify_sender
        if mailbox:   # a mailbox that must exist: the one the summary is sent from
            calls |= {"User.Read.All": lambda: self.graph.get_user(mailbox),
                      "MailboxSettings.ReadWrite": lambda: self.graph.inbox_rules(mailbox),
                      "UserAuthenticationMethod.ReadWrite.All": lambda: self.graph.auth_methods(mailbox),
                      "Get-Mailbox": lambda: self.exchange.mailbox_forwarding(mailbox),
                      "Get-InboxRule": lambda: self.exchange.inbox_rules(mailbox)}
            groups = [entry for entry in self.settings.protected_accounts if "@" not in entry]
            if groups:
                calls["GroupMember.Read.All"] = lambda: self.graph.member_of(mailbox, groups)
        if self.management is not None:
            calls["ActivityFeed.Read"] = lambda: self.management.list_subscriptions()
        wanted = {grant.name for grant in needed}
        results = {}
        for name, call in calls.items():
            if name in wanted:
                _, results[name] = await _attempt(call())
        return results

    def _judge(self, grant: Grant, evidence: Evidence) -> Finding:
        status, detail = _verdict(grant, evidence)
        if status == MISSING and (grant.feature == "selftest" or (grant.enforce_only and not self.settings.enforce)):
            status = WARNING
            detail += "; needed only by " + ("the self-test" if grant.feature == "selftest" else "enforce")
        return Finding(grant, status, detail)


def _verdict(grant: Grant, evidence: Evidence) -> tuple[str, str]:
    refusal = (evidence.probes or {}).get(grant.name)
    if refusal:
        return MISSING, f"refused: {refusal}"
    if grant.kind in (table.GRAPH, table.EXCHANGE_APP, table.MANAGEMENT_API) and evidence.granted is not None:
        return (OK, "granted") if grant.name in evidence.granted else (MISSING, "not granted to the identity")
    if grant.kind == table.DIRECTORY_ROLE and evidence.directory_roles is not None:
        held = table.USER_ADMINISTRATOR in evidence.directory_roles
        return (OK, "assigned") if held else (MISSING, "not assigned to the identity")
    if grant.kind == table.EXCHANGE_CMDLET and evidence.exchange and grant.name in evidence.exchange:
        return (OK, "in a role assigned to the app") if evidence.exchange[grant.name] else \
            (MISSING, "no role assigned to the app holds it")
    if grant.kind == table.EXCHANGE_RBAC and evidence.mail_send is not None:
        return (OK, "NOTIFY_SENDER is in scope") if evidence.mail_send else \
            (MISSING, "NOTIFY_SENDER is not in the scope of an Application Mail.Send assignment")
    if refusal == "":
        return OK, "the call worked"
    return UNKNOWN, "nothing here could tell"


def failing(findings: list[Finding]) -> bool:
    return any(finding.status == MISSING for finding in findings)


def render(findings: list[Finding]) -> str:
    """The findings as a plain-text table: status, grant, feature, detail, what to run."""
    rows = [("status", "grant", "feature", "detail", "fix")]
    rows += [(f.status, f.grant.name, f.grant.feature, f.detail, f.fix) for f in findings]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[4]
                     for row in rows).rstrip() + "\n"


def identity_client_id(settings: Settings, env: Mapping[str, str] | None = None) -> str:
    """The app's identity: the user-assigned managed identity of AZURE_CLIENT_ID (the variable
    azure-identity reads too), else the one the storage connection names."""
    return (os.environ if env is None else env).get("AZURE_CLIENT_ID") or settings.storage_client_id


async def health_check(settings: Settings, directory, exchange) -> dict | None:
    """The self-test as a deep health check, when the app runs on the real gateways (None otherwise)."""
    if not isinstance(directory, TenantGraph):
        return None
    findings = await SelfTest(settings, directory, exchange, client_id=identity_client_id(settings)).run()
    return {"ok": not failing(findings), "findings": [finding.to_json() for finding in findings]}
