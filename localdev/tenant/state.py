"""The sandbox tenant's state: one Microsoft 365 tenant as plain dicts and lists.

Every route module (Graph, Entra, Exchange, Management API, control) reads and mutates one
`TenantState`. It is created once per server and reloaded *in place* by `load(scenario)`,
so modules may keep a reference to it. The scenario format is documented in scenario.py.

Attributes (scenario part; `to_json()` gives them back under the scenario's own keys):
    tenant_id, domains, withheld (set of permission names), users, blocked_senders,
    exchange, graph, alerts, apps (Entra client apps), faults, identity, management, seed
What the app did, for assertions (never a password):
    password_changes[user_id] = [{"at", "passwordChanged", "forceChangePasswordNextSignIn",
                                  "forceChangePasswordNextSignInWithMfa"}]
    revocations[user_id] = [iso times]
    outbox = [{"at", "from", "recipients", "message", "saveToSentItems", "restricted" (the sender was blocked)}]
    unblocks[sender_lower] = count of successful Remove-BlockedSenderAddress
    request_log = [{"at", "method", "path", "query", "status", "body", "cmdlet", "startedAt"}]
        (started/ended: seconds on the sandbox process's perf_counter, to tell overlapping requests)
"""

from __future__ import annotations

import base64
import copy
import random
import uuid
from datetime import datetime, timezone
from typing import Any, Callable, Mapping

DEFAULT_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"
EXCHANGE_DEFAULTS = {"unblockLimit": 3, "releaseDelaySeconds": 0, "pageSize": 1000}
GRAPH_DEFAULTS = {"pageSize": 100}
MAILBOX_DEFAULTS = {"ForwardingSmtpAddress": None, "ForwardingAddress": None, "DeliverToMailboxAndForward": False,
                    "SmtpClientAuthenticationDisabled": None, "PopEnabled": True, "ImapEnabled": True}
RULE_DEFAULTS = {"isEnabled": True, "hasError": False, "isReadOnly": False, "conditions": {}, "actions": {},
                 "hidden": False}
DOMAIN_DEFAULTS = {"authenticationType": "Managed", "isDefault": False, "isInitial": False, "isVerified": True}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    """Graph's UTC timestamps: `2026-11-28T07:00:00.123Z`."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def rule_identity(graph_id: str) -> str:
    """Exchange's RuleIdentity of a Graph messageRule id: the id's 8 bytes read little-endian, in decimal."""
    return str(int.from_bytes(base64.b64decode(graph_id), "little"))


def graph_rule_id(identity: str | int) -> str:
    """The inverse of `rule_identity`: the Graph messageRule id of an Exchange RuleIdentity."""
    return base64.b64encode(int(identity).to_bytes(8, "little")).decode("ascii")


def smtp_addresses(user: dict) -> set[str]:
    """The user's mail and SMTP proxy addresses (`SMTP:` primary, `smtp:` aliases), lower case, unprefixed."""
    proxies = {address[5:].lower() for address in user.get("proxyAddresses") or []
               if address.lower().startswith("smtp:")}
    return proxies | ({user["mail"].lower()} if user.get("mail") else set())


class TenantState:
    def __init__(self, scenario: Mapping[str, Any] | None = None, *,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.clock = clock
        self.load(scenario or {})

    def load(self, scenario: Mapping[str, Any]) -> None:
        """Replace the whole state with `scenario` (a parsed scenario file); records start empty."""
        scenario = copy.deepcopy(dict(scenario))
        tenant = scenario.get("tenant") or {}
        self.tenant_id: str = str(tenant.get("id") or DEFAULT_TENANT_ID)
        self.domains: list[dict] = [{**DOMAIN_DEFAULTS, **domain} for domain in tenant.get("domains") or []]
        self.withheld: set[str] = set((scenario.get("permissions") or {}).get("withheld") or [])
        self.users: list[dict] = [self._user(user) for user in scenario.get("users") or []]
        self.blocked_senders: list[dict] = list(scenario.get("blockedSenders") or [])
        self.exchange: dict = {**EXCHANGE_DEFAULTS, **(scenario.get("exchange") or {})}
        self.graph: dict = {**GRAPH_DEFAULTS, **(scenario.get("graph") or {})}
        self.alerts: list[dict] = list(scenario.get("alerts") or [])
        self.apps: dict[str, dict] = dict((scenario.get("entra") or {}).get("apps") or {})
        self.faults: list[dict] = list(scenario.get("faults") or [])
        self.identity: dict = dict(scenario.get("identity") or {})   # the app's grants (graph_identity.py)
        # Office 365 Management Activity API: subscriptions by content type, blobs by content id.
        self.management: dict = {"subscriptions": {}, "content": {}, "notifications": [],
                                 **(scenario.get("management") or {})}
        self.seed: int = int(scenario.get("seed", 0))
        self.rng = random.Random(self.seed)   # fault rates are reproducible
        self._rule_ids = random.Random(self.seed)
        self.password_changes: dict[str, list[dict]] = {}
        self.revocations: dict[str, list[str]] = {}
        self.outbox: list[dict] = []
        self.unblocks: dict[str, int] = {}
        self.request_log: list[dict] = []

    def _user(self, user: Mapping[str, Any]) -> dict:
        upn = user["userPrincipalName"]
        record = {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, upn.lower())), "displayName": upn.partition("@")[0],
                  "mail": upn, "accountEnabled": True, "onPremisesSyncEnabled": None, "memberOf": [],
                  "authenticationMethods": [], **user}
        record.setdefault("proxyAddresses", [f"SMTP:{record['mail']}"] if record.get("mail") else [])
        record["mailbox"] = {**MAILBOX_DEFAULTS, **(user.get("mailbox") or {})}
        record["inboxRules"] = [self._rule(rule, index) for index, rule in enumerate(user.get("inboxRules") or [])]
        return record

    def _rule(self, rule: Mapping[str, Any], index: int) -> dict:
        return {"id": rule.get("id") or self.new_rule_id(), "displayName": f"Rule {index + 1}",
                "sequence": index + 1, **copy.deepcopy(RULE_DEFAULTS), **rule}

    def new_rule_id(self) -> str:
        return graph_rule_id(self._rule_ids.getrandbits(63))

    def new_rule(self, user: dict, rule: Mapping[str, Any]) -> dict:
        """Add a rule (Graph shape, optional `hidden`) at the end of the user's inbox rules."""
        record = self._rule({"sequence": len(user["inboxRules"]) + 1, **rule}, len(user["inboxRules"]))
        user["inboxRules"].append(record)
        return record

    def now(self) -> datetime:
        return self.clock()

    def now_iso(self) -> str:
        return iso(self.clock())

    # lookups -------------------------------------------------------------------------------
    def user(self, key: str, *, by_mail: bool = False) -> dict | None:
        """A user by object id or UPN (case-insensitive), as Graph resolves them; `by_mail` also
        matches the primary address and every SMTP proxy address (Exchange's -Identity/-Mailbox
        resolve those too)."""
        wanted = key.strip().lower()
        for user in self.users:
            names = {user["id"].lower(), user["userPrincipalName"].lower()}
            if by_mail:
                names |= smtp_addresses(user)
            if wanted in names:
                return user
        return None

    def rule(self, user: dict, rule_id: str) -> dict | None:
        return next((rule for rule in user["inboxRules"] if rule["id"] == rule_id), None)

    def domain(self, name: str) -> dict | None:
        return next((domain for domain in self.domains if domain["id"].lower() == name.lower()), None)

    def names_tenant(self, name: str) -> bool:
        """URLs may name the tenant by its GUID or by any of its domains."""
        return name.lower() == self.tenant_id.lower() or self.domain(name) is not None

    def blocked_sender(self, address: str) -> dict | None:
        return next((entry for entry in self.blocked_senders
                     if entry["SenderAddress"].lower() == address.strip().lower()), None)

    # records --------------------------------------------------------------------------------
    def log_request(self, entry: dict) -> None:
        self.request_log.append({"at": self.now_iso(), **entry})

    def to_scenario(self) -> dict:
        """The tenant as a scenario: loading it gives this tenant back (with empty records)."""
        return copy.deepcopy({
            "tenant": {"id": self.tenant_id, "domains": self.domains},
            "permissions": {"withheld": sorted(self.withheld)},
            "users": self.users, "blockedSenders": self.blocked_senders, "exchange": self.exchange,
            "graph": self.graph, "alerts": self.alerts, "entra": {"apps": self.apps}, "faults": self.faults,
            "identity": self.identity,
            "management": self.management, "seed": self.seed})

    def to_json(self, *, include_requests: bool = False) -> dict:
        """The whole state: the scenario part plus what the app did (the request log on request)."""
        body = {**self.to_scenario(), **copy.deepcopy({
            "passwordChanges": self.password_changes, "revocations": self.revocations, "outbox": self.outbox,
            "unblocks": self.unblocks})}
        if include_requests:
            body["requestLog"] = copy.deepcopy(self.request_log)
        return body
