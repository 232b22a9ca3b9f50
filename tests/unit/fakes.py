"""Fakes of the tenant's ports (remediation/ports.py: Directory, ExchangeAdmin) for unit tests; the
storage ports' fakes are in fake_storage.py.

The tenant keeps one set of users, rules, mailbox forwarding and a blocked list behind both
the Graph (`FakeDirectory`) and the Exchange (`FakeExchange`) view; hidden rules only show
through Exchange with include_hidden.
tests/contract/ runs the same behaviour tests against this tenant and against the real
gateways on the sandbox (`tenant_from_scenario` builds this one from a sandbox scenario).

Two test seams, both one-shot:
    tenant.fail_next(method, error)   the next call of `method` raises `error` and changes nothing
    tenant.crash_after(method)        the next call of `method` changes the tenant, then raises `Crash`
                                      (the process died before the worker could record the change)
"""

from __future__ import annotations

import asyncio
import base64
import copy
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

from remediation.errors import (
    LicenceError, NotFoundError, PermanentError, PermissionError_, ServiceRejectedError, UnblockCapError,
)
from remediation.gateways import exchange_shapes, graph_shapes
from remediation.gateways.exchange_shapes import parse_block_reason
from remediation.models import iso, normalize_user
from remediation.tenant import (
    EXCHANGE, FULL_ACCESS, SEND_AS, SEND_ON_BEHALF, AuthMethod, Block, CasSettings, Delegate, DirectoryUser,
    Domain, InboxRule, MailboxForwarding, Recipient, RuleRecipient, SecurityAlert,
)
from remediation.tenant_activity import MessageTrace, SignIn, TracedMessage
from remediation.tenant_apps import PermissionGrant, ServicePrincipal

EVIL = "attacker@evil.example"
GUEST = "attacker_evil.example#EXT#@contoso.onmicrosoft.com"   # a guest the attacker invited
PASSWORD_METHOD_ID = "28c10230-6103-485e-b985-444c60001490"   # the id Graph gives every user's password method


class Crash(BaseException):
    """The worker process died here (a BaseException, so no `except Exception` records it)."""


class Clock:
    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 28, 8, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def graph_rule_id(number: int) -> str:
    return base64.b64encode(number.to_bytes(8, "little")).decode()


def rule(number: int, name: str, *, hidden: bool = False, enabled: bool = True, **actions) -> dict:
    """A rule in Graph's messageRule shape, plus `hidden` (only Exchange shows it)."""
    return {"id": graph_rule_id(number), "displayName": name, "sequence": number, "isEnabled": enabled,
            "conditions": {}, "actions": actions, "hidden": hidden}


def to(*addresses: str) -> list[dict]:
    return [{"emailAddress": {"name": address.partition("@")[0], "address": address}} for address in addresses]


@dataclass
class FakeUser:
    id: str
    upn: str
    mail: str = ""                 # the directory's mail attribute; the UPN when empty
    proxies: tuple[str, ...] = ()  # proxyAddresses ("SMTP:primary", "smtp:alias"); "SMTP:<mail>" when empty
    display_name: str = ""         # the UPN's local part when empty
    synced: bool = False
    enabled: bool = True
    groups: list[str] = field(default_factory=list)
    rules: list[dict] = field(default_factory=list)
    forwarding: MailboxForwarding = field(default_factory=MailboxForwarding)
    cas: CasSettings = field(default_factory=CasSettings)
    delegates: list[Delegate] = field(default_factory=list)   # besides NT AUTHORITY\SELF, which every mailbox lists
    methods: list[dict] = field(default_factory=list)
    default_method: str = ""       # the id of the method Entra ID signs in with first (not in Graph v1.0's list)
    password_changed: str | None = None   # lastPasswordChangeDateTime
    folders: dict[str, str] = field(default_factory=dict)   # mail folder id -> display name
    sent: list[TracedMessage] = field(default_factory=list)   # the message trace of what the user sent
    sign_ins: list[SignIn] = field(default_factory=list)


DEFAULT_METHOD_REFUSED = ("Cannot delete default method with other methods configured. Please change default "
                          "method before deletion.")
UNLICENSED_CODE = "Authentication_RequestFromNonPremiumTenantOrB2CTenant"
RISK_UNLICENSED = "Neither tenant is B2C or tenant doesn't have premium license"


class FakeTenant:
    """One tenant behind `directory` and `exchange`; what the app did is in the lists below."""

    def __init__(self, domains: list[Domain] | None = None) -> None:
        self.domains = domains or [Domain("contoso.com"), Domain("contoso.onmicrosoft.com"),
                                   Domain("fabrikam.com", "Federated")]
        self.users: dict[str, FakeUser] = {}
        self.blocked: list[Block] = []
        self.unblock_limit = 3
        self.release_on_unblock = True
        self.clock = lambda: datetime.now(timezone.utc)   # the tenant's own time (lastPasswordChangeDateTime)
        self.passwords: dict[str, list[str]] = {}      # what the tenant received (a tenant knows it)
        self.revocations: dict[str, int] = {}
        self.outbox: list[dict] = []
        self.unblocks: dict[str, int] = {}
        self.alerts: list[dict] = []                   # alerts_v2 objects, in Graph's shape
        self.premium = True                            # Entra ID P1: the sign-in logs can be read
        self.contacts: dict[str, str] = {}             # mail contacts: identity -> outside address
        self.grants: list[dict] = []                   # oAuth2PermissionGrant objects, in Graph's shape
        self.principals: dict[str, dict] = {}          # servicePrincipal objects by id, in Graph's shape
        self.risk_licensed = True                      # Entra ID P2
        self.compromised: list[str] = []               # confirmCompromised calls, by user id
        self.calls: list[tuple[str, tuple]] = []       # every port call, in order
        self._fail: dict[str, Exception] = {}
        self._crash: set[str] = set()
        self.directory = FakeDirectory(self)
        self.exchange = FakeExchange(self)

    # seams
    def fail_next(self, method: str, error: Exception) -> None:
        self._fail[method] = error

    def crash_after(self, method: str) -> None:
        self._crash.add(method)

    async def enter(self, method: str, *args) -> None:
        await asyncio.sleep(0)   # a real call yields to other tasks: let concurrent workers interleave
        self.calls.append((method, args))
        if method in self._fail:
            raise self._fail.pop(method)

    def leave(self, method: str) -> None:
        if method in self._crash:
            self._crash.discard(method)
            raise Crash(method)

    def count(self, method: str) -> int:
        return sum(1 for name, _ in self.calls if name == method)

    # state
    def add_user(self, upn: str, **kw) -> FakeUser:
        user = FakeUser(id=str(uuid.uuid5(uuid.NAMESPACE_URL, upn)), upn=upn, **kw)
        self.users[user.id] = user
        return user

    def block(self, upn: str, created: datetime, reason: str = "ExceedingLimitType=Daily") -> Block:
        entry = Block(sender=upn, created=iso(created), reason=reason, reason_parts=parse_block_reason(reason))
        self.blocked.append(entry)
        return entry

    def find(self, key: str) -> FakeUser:
        """By object id or UPN, as Graph's /users/{key} resolves a user."""
        wanted = key.lower()
        for user in self.users.values():
            if wanted in (user.id.lower(), user.upn.lower()):
                return user
        raise NotFoundError(f"Resource '{key}' does not exist or one of its queried reference-property objects "
                            "are not present.", service="graph", code="Request_ResourceNotFound")

    def mailbox(self, key: str) -> FakeUser:
        """By id, UPN or any SMTP address, as Exchange resolves -Identity and -Mailbox."""
        found = [user for user in self.users.values() if key.lower() in {user.id.lower()} | addresses(user)]
        if not found:
            raise NotFoundError(f"The operation couldn't be performed because object '{key}' couldn't be found.",
                                service="exchange", code="ManagementObjectNotFoundException")
        return found[0]

    def rule_by(self, upn: str, name: str) -> dict:
        return next(item for item in self.find(upn).rules if item["displayName"] == name)


def addresses(user: FakeUser) -> set[str]:
    """Every address that names the user: the UPN, mail and SMTP proxy addresses, in lower case."""
    return directory_user(user).addresses


def directory_user(user: FakeUser) -> DirectoryUser:
    mail = user.mail or user.upn
    return DirectoryUser(user.id, user.upn, mail, user.display_name or user.upn.partition("@")[0], user.enabled,
                         True if user.synced else None, user.proxies or (f"SMTP:{mail}",), user.password_changed)


def tenant_from_scenario(scenario: dict) -> FakeTenant:
    """The tenant a sandbox scenario describes (localdev/tenant/scenario.py, its times resolved)."""
    tenant = FakeTenant([Domain(item["id"], item.get("authenticationType", "Managed"), item.get("isVerified", True))
                         for item in scenario["tenant"]["domains"]])
    for user in scenario.get("users") or []:
        box = user.get("mailbox") or {}
        added = tenant.add_user(
            user["userPrincipalName"], mail=user.get("mail") or "", proxies=tuple(user.get("proxyAddresses") or ()),
            display_name=user.get("displayName") or "", synced=bool(user.get("onPremisesSyncEnabled")),
            enabled=user.get("accountEnabled", True), groups=list(user.get("memberOf") or []),
            rules=[{"isEnabled": True, "conditions": {}, "actions": {}, "hidden": False, "sequence": number, **item}
                   for number, item in enumerate(user.get("inboxRules") or [], 1)],
            forwarding=MailboxForwarding.from_json(box),
            cas=CasSettings.from_json({"PopEnabled": True, "ImapEnabled": True, **box}),
            delegates=scenario_delegates(user), methods=copy.deepcopy(user.get("authenticationMethods") or []),
            folders={folder["id"]: folder["displayName"] for folder in user.get("mailFolders") or []},
            sent=[exchange_shapes.traced_message(row) for row in user.get("messageTrace") or []],
            sign_ins=[graph_shapes.sign_in(item) for item in user.get("signIns") or []],
            default_method=user.get("defaultMethod") or "")
        if user.get("id"):
            tenant.users[user["id"]] = tenant.users.pop(added.id)
            added.id = user["id"]
    tenant.blocked = [exchange_shapes.block(entry) for entry in scenario.get("blockedSenders") or []]
    exchange = scenario.get("exchange") or {}
    tenant.unblock_limit = exchange.get("unblockLimit", 3)
    tenant.release_on_unblock = not exchange.get("releaseDelaySeconds")
    tenant.alerts = copy.deepcopy(scenario.get("alerts") or [])
    tenant.premium = (scenario.get("graph") or {}).get("premium", True)
    tenant.contacts = {item["Identity"]: item["ExternalEmailAddress"].partition(":")[2]
                       for item in exchange.get("recipients") or []}
    identity = scenario.get("identity") or {}
    tenant.principals = {app["id"]: copy.deepcopy(app) for app in identity.get("servicePrincipals") or []}
    tenant.grants = copy.deepcopy(identity.get("oauth2PermissionGrants") or [])
    tenant.risk_licensed = identity.get("entraIdP2") is not False
    return tenant


def scenario_delegates(user: dict) -> list[Delegate]:
    """A scenario user's mailboxPermissions, recipientPermissions and grantSendOnBehalfTo."""
    return ([Delegate(FULL_ACCESS, item["User"], bool(item.get("IsInherited")), bool(item.get("Deny")))
             for item in user.get("mailboxPermissions") or []]
            + [Delegate(SEND_AS, item["Trustee"], bool(item.get("IsInherited")))
               for item in user.get("recipientPermissions") or []]
            + [Delegate(SEND_ON_BEHALF, name) for name in user.get("grantSendOnBehalfTo") or []])


class FakeDirectory:
    def __init__(self, tenant: FakeTenant) -> None:
        self.t = tenant

    async def get_user(self, user: str) -> DirectoryUser:
        await self.t.enter("get_user", user)
        try:
            return directory_user(self.t.find(user))
        except NotFoundError:
            matches = [found for found in self.t.users.values() if user.lower() in addresses(found)]
            if "@" not in user or not matches:
                raise
        if len(matches) > 1:
            names = ", ".join(sorted(found.upn for found in matches))
            raise PermanentError(f"{user} is an address of {len(matches)} users ({names}); name the user by UPN or "
                                 "object id", service="graph")
        return directory_user(matches[0])

    async def domains(self) -> list[Domain]:
        await self.t.enter("domains")
        return list(self.t.domains)

    @staticmethod
    def _refuse_synced(user: FakeUser) -> None:
        """Graph's 400 for a write to a property mastered on-premises."""
        if user.synced:
            raise ServiceRejectedError("Unable to update the specified properties for on-premises mastered "
                                       "Directory Sync objects or objects currently undergoing migration.",
                                       service="graph", code="Request_BadRequest")

    async def reset_password(self, user_id: str, password: str) -> None:
        await self.t.enter("reset_password", user_id)
        user = self.t.find(user_id)
        self._refuse_synced(user)
        self.t.passwords.setdefault(user.id, []).append(password)
        user.password_changed = iso(self.t.clock())
        self.t.leave("reset_password")

    async def revoke_sessions(self, user_id: str) -> None:
        await self.t.enter("revoke_sessions", user_id)
        user = self.t.find(user_id)
        self.t.revocations[user.id] = self.t.revocations.get(user.id, 0) + 1
        self.t.leave("revoke_sessions")

    async def disable_account(self, user_id: str) -> None:
        await self.t.enter("disable_account", user_id)
        user = self.t.find(user_id)
        self._refuse_synced(user)
        user.enabled = False
        self.t.leave("disable_account")

    async def member_of(self, user_id: str, group_ids: list[str]) -> list[str]:
        await self.t.enter("member_of", user_id, tuple(group_ids))
        user = self.t.find(user_id)
        return [group for group in group_ids if group in user.groups]

    async def inbox_rules(self, user_id: str) -> list[InboxRule]:
        await self.t.enter("graph.inbox_rules", user_id)
        return [graph_shapes.inbox_rule(item) for item in self.t.find(user_id).rules if not item["hidden"]]

    async def disable_inbox_rule(self, user_id: str, rule_id: str) -> InboxRule:
        await self.t.enter("graph.disable_inbox_rule", user_id, rule_id)
        found = next((item for item in self.t.find(user_id).rules if item["id"] == rule_id and not item["hidden"]),
                     None)
        if found is None:
            raise NotFoundError("The specified object was not found in the store.", service="graph")
        found["isEnabled"] = False
        self.t.leave("graph.disable_inbox_rule")
        return graph_shapes.inbox_rule(found)

    async def auth_methods(self, user_id: str) -> list[AuthMethod]:
        await self.t.enter("auth_methods", user_id)
        user = self.t.find(user_id)
        methods = [graph_shapes.auth_method(method) for method in user.methods]
        if not any(method.type == "password" for method in methods):   # Graph lists every user's password
            methods.insert(0, AuthMethod(PASSWORD_METHOD_ID, "password", user.password_changed))
        return methods

    async def delete_auth_method(self, user_id: str, method: AuthMethod) -> None:
        await self.t.enter("delete_auth_method", user_id, method.id)
        user = self.t.find(user_id)
        found = next((item for item in user.methods if item.get("id") == method.id), None)
        if found is None:
            raise NotFoundError(f"Resource '{method.id}' does not exist.", service="graph", code="itemNotFound")
        if method.id == user.default_method and len(user.methods) > 1:
            raise ServiceRejectedError(DEFAULT_METHOD_REFUSED, service="graph", code="invalidRequest")
        user.methods.remove(found)
        self.t.leave("delete_auth_method")

    async def permission_grants(self, user_id: str) -> list[PermissionGrant]:
        await self.t.enter("permission_grants", user_id)
        user = self.t.find(user_id)
        return [graph_shapes.permission_grant(item) for item in self.t.grants if item.get("principalId") == user.id]

    async def consented_app(self, principal_id: str) -> ServicePrincipal:
        await self.t.enter("consented_app", principal_id)
        if principal_id not in self.t.principals:
            raise NotFoundError(f"Resource '{principal_id}' does not exist.", service="graph",
                                code="Request_ResourceNotFound")
        return graph_shapes.service_principal(self.t.principals[principal_id])

    async def delete_permission_grant(self, grant_id: str) -> None:
        await self.t.enter("delete_permission_grant", grant_id)
        found = next((item for item in self.t.grants if item["id"] == grant_id), None)
        if found is None:
            raise NotFoundError(f"Resource '{grant_id}' does not exist.", service="graph",
                                code="Request_ResourceNotFound")
        self.t.grants.remove(found)
        self.t.leave("delete_permission_grant")

    async def create_permission_grant(self, grant: PermissionGrant) -> None:
        await self.t.enter("create_permission_grant", grant)
        self.t.grants.append({**grant.to_json(), "id": uuid.uuid4().hex})

    async def confirm_compromised(self, user_id: str) -> None:
        await self.t.enter("confirm_compromised", user_id)
        if not self.t.risk_licensed:
            raise PermissionError_(RISK_UNLICENSED, service="graph", code=UNLICENSED_CODE,
                                   permission="IdentityRiskyUser.ReadWrite.All")
        self.t.compromised.append(self.t.find(user_id).id)

    async def send_mail(self, sender: str, recipients: list[str], subject: str, html_body: str) -> None:
        await self.t.enter("send_mail", sender)
        self.t.outbox.append({"from": sender, "to": list(recipients), "subject": subject, "body": html_body})
        self.t.leave("send_mail")

    async def security_alerts(self, since: datetime, service_source: str) -> list[SecurityAlert]:
        await self.t.enter("security_alerts", since, service_source)
        alerts = [graph_shapes.security_alert(alert) for alert in self.t.alerts
                  if alert.get("serviceSource") == service_source]
        return [alert for alert in alerts if alert.last_updated and alert.last_updated >= since]

    async def sign_ins(self, user_id: str, since: datetime) -> list[SignIn]:
        await self.t.enter("sign_ins", user_id, since)
        if not self.t.premium:
            raise LicenceError("Neither tenant is B2C or tenant doesn't have premium license", service="graph",
                               code="Authentication_RequestFromNonPremiumTenantOrB2CTenant",
                               permission="an Entra ID P1 licence")
        found = [item for item in self.t.find(user_id).sign_ins if item.created and item.created >= since]
        return sorted(found, key=lambda item: item.created, reverse=True)


SELF = "NT AUTHORITY\\SELF"
# Graph's well-known folder names, as Exchange prints the folders.
FOLDERS = {"rssfeeds": "RSS Feeds", "archive": "Archive", "junkemail": "Junk Email", "deleteditems": "Deleted Items",
           "conversationhistory": "Conversation History"}


def _organization(recipient: RuleRecipient) -> RuleRecipient:
    alias = recipient.address.partition("@")[0]
    return replace(recipient, address=f'"{recipient.address}" [EX:/o=ExchangeLabs/cn=Recipients/cn={alias}]',
                   organization=True)


def exchange_view(tenant: FakeTenant, user: FakeUser, item: dict) -> InboxRule:
    """A rule as Get-InboxRule lists it: by RuleIdentity, a folder by its name, and a recipient of
    the tenant in Exchange's own notation ([EX:...])."""
    rule = graph_shapes.inbox_rule(item)
    known = set().union(*(addresses(other) for other in tenant.users.values()))
    recipients = tuple(_organization(r) if r.address.lower() in known else r for r in rule.recipients)
    name = rule.move_to and (user.folders.get(rule.move_to) or FOLDERS.get(rule.move_to.lower(), rule.move_to))
    folder = name and f"{user.upn.partition('@')[0]}:\\{name}"
    return replace(rule, source=EXCHANGE, id=None, recipients=recipients, move_to=folder)


class FakeExchange:
    def __init__(self, tenant: FakeTenant) -> None:
        self.t = tenant

    async def blocked_senders(self, sender: str | None = None) -> list[Block]:
        await self.t.enter("blocked_senders", sender)
        return [copy.copy(entry) for entry in self.t.blocked
                if sender is None or normalize_user(entry.sender) == normalize_user(sender)]

    async def unblock(self, sender: str) -> None:
        await self.t.enter("unblock", sender)
        key = normalize_user(sender)
        if not any(normalize_user(entry.sender) == key for entry in self.t.blocked):
            raise NotFoundError(f"The operation couldn't be performed because object '{sender}' couldn't be found.",
                                service="exchange", code="ManagementObjectNotFoundException")
        if self.t.unblocks.get(key, 0) >= self.t.unblock_limit:
            raise UnblockCapError(f"The sender '{sender}' can't be unblocked because the unblock limit for this sender "
                                  "has been reached.", service="exchange", code="UnblockLimitExceededException")
        self.t.unblocks[key] = self.t.unblocks.get(key, 0) + 1
        if self.t.release_on_unblock:
            self.t.blocked = [entry for entry in self.t.blocked if normalize_user(entry.sender) != key]
        self.t.leave("unblock")

    async def mailbox_forwarding(self, mailbox: str) -> MailboxForwarding:
        await self.t.enter("mailbox_forwarding", mailbox)
        return self.t.mailbox(mailbox).forwarding

    async def clear_mailbox_forwarding(self, mailbox: str) -> None:
        await self.t.enter("clear_mailbox_forwarding", mailbox)
        self.t.mailbox(mailbox).forwarding = MailboxForwarding()
        self.t.leave("clear_mailbox_forwarding")

    async def delegates(self, mailbox: str) -> list[Delegate]:
        await self.t.enter("delegates", mailbox)
        user = self.t.mailbox(mailbox)
        return [Delegate(FULL_ACCESS, SELF), Delegate(SEND_AS, SELF)] + list(user.delegates)

    async def recipient(self, identity: str) -> Recipient | None:
        await self.t.enter("recipient", identity)
        if identity in self.t.contacts:
            return Recipient(identity, self.t.contacts[identity], "MailContact")
        try:
            user = self.t.mailbox(identity)
        except NotFoundError:
            return None
        guest = "#ext#" in user.upn.lower()
        return Recipient(user.upn.partition("@")[0], user.mail or user.upn, "GuestMailUser" if guest else "UserMailbox")

    async def remove_delegate(self, mailbox: str, delegate: Delegate) -> None:
        await self.t.enter("remove_delegate", mailbox, delegate)
        user = self.t.mailbox(mailbox)
        held = [item for item in user.delegates if (item.right, item.trustee.lower()) ==
                (delegate.right, delegate.trustee.lower()) and not item.inherited]
        if not held and delegate.right != SEND_ON_BEHALF:
            raise NotFoundError(f"The operation couldn't be performed because object '{mailbox}\\{delegate.trustee}' "
                                "couldn't be found.", service="exchange", code="ManagementObjectNotFoundException")
        user.delegates = [item for item in user.delegates if item not in held]
        self.t.leave("remove_delegate")

    async def add_delegate(self, mailbox: str, delegate: Delegate) -> None:
        await self.t.enter("add_delegate", mailbox, delegate)
        user = self.t.mailbox(mailbox)
        if Delegate(delegate.right, delegate.trustee) not in user.delegates:
            user.delegates.append(Delegate(delegate.right, delegate.trustee))

    async def set_mailbox_forwarding(self, mailbox: str, forwarding: MailboxForwarding) -> None:
        await self.t.enter("set_mailbox_forwarding", mailbox, forwarding)
        self.t.mailbox(mailbox).forwarding = forwarding

    async def enable_inbox_rule(self, mailbox: str, rule_identity: str) -> None:
        await self.t.enter("exchange.enable_inbox_rule", mailbox, rule_identity)
        self._rule(mailbox, rule_identity)["isEnabled"] = True

    def _rule(self, mailbox: str, rule_identity: str) -> dict:
        user = self.t.mailbox(mailbox)
        found = next((item for item in user.rules if graph_shapes.rule_identity(item["id"]) == rule_identity), None)
        if found is None:
            raise NotFoundError(f"The Inbox rule \"{rule_identity}\" couldn't be found.", service="exchange")
        return found

    async def cas_settings(self, mailbox: str) -> CasSettings:
        await self.t.enter("cas_settings", mailbox)
        return self.t.mailbox(mailbox).cas

    async def set_cas_settings(self, mailbox: str, settings: CasSettings) -> None:
        await self.t.enter("set_cas_settings", mailbox, settings)
        self.t.mailbox(mailbox).cas = settings
        self.t.leave("set_cas_settings")

    async def inbox_rules(self, mailbox: str, include_hidden: bool = True) -> list[InboxRule]:
        await self.t.enter("exchange.inbox_rules", mailbox)
        user = self.t.mailbox(mailbox)
        return [exchange_view(self.t, user, item) for item in user.rules if include_hidden or not item["hidden"]]

    async def disable_inbox_rule(self, mailbox: str, rule_identity: str) -> None:
        await self.t.enter("exchange.disable_inbox_rule", mailbox, rule_identity)
        self._rule(mailbox, rule_identity)["isEnabled"] = False
        self.t.leave("exchange.disable_inbox_rule")

    async def message_trace(self, sender: str, start: datetime, end: datetime, limit: int) -> MessageTrace:
        await self.t.enter("message_trace", sender, start, end, limit)
        # A sender that is nobody's address is a filter matching nothing, not an error.
        users = [user for user in self.t.users.values() if sender.lower() in addresses(user)]
        rows = [row for user in users for row in user.sent if row.received and start <= row.received <= end]
        rows.sort(key=lambda row: (-row.received.timestamp(), row.recipient.lower()))
        return MessageTrace(tuple(rows[:limit]), cut=len(rows) > limit)


def compromised(tenant: FakeTenant, now: datetime, upn: str = "adele@contoso.com") -> FakeUser:
    """The standard compromise: an external forwarding rule, a hidden rule parking mail in RSS
    Feeds, SMTP forwarding, SendAs for a guest (and FullAccess for a colleague), an authenticator
    registered yesterday, and a block half an hour old."""
    tenant.add_user("megan@contoso.com")
    user = tenant.add_user(upn, rules=[
        rule(1, "Newsletters", moveToFolder="AAMkAGI2newsletters"),
        rule(2, "fwd", forwardTo=to(EVIL)),
        rule(3, ".", hidden=True, moveToFolder="rssfeeds", markAsRead=True),
        rule(4, "To Megan", forwardTo=to("megan@contoso.com")),
        rule(5, "Junk E-Mail Rule", hidden=True, moveToFolder="junkemail"),
    ], forwarding=MailboxForwarding("smtp:collect@evil.example", None, True), delegates=[
        Delegate(SEND_AS, GUEST), Delegate(FULL_ACCESS, "megan@contoso.com"),
    ], methods=[
        {"@odata.type": "#microsoft.graph.passwordAuthenticationMethod", "id": "28c10230",
         "createdDateTime": "2024-01-10T09:00:00Z"},
        {"@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod", "id": "6e5ca9a7",
         "displayName": "Pixel 9", "createdDateTime": iso(now - timedelta(days=1))},
    ])
    tenant.block(upn, now - timedelta(minutes=30))
    return user
