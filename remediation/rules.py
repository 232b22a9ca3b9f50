"""Inbox rules, read through Graph and Exchange, joined and classified.

Graph's messageRules hide the rules an attacker plants over MAPI; only Exchange's
`Get-InboxRule -IncludeHidden` lists them. The same rule appears in both: Exchange's
`RuleIdentity` is the decimal of the Graph id's 8 bytes read little-endian (we fall back
to the name). A rule seen only by Exchange is hidden, and can only be disabled there.
Graph gives `moveToFolder` as a folder id, Exchange as a name, so the name comes from
Exchange when it has the rule. A rule is judged by its actions, whatever its name: an attacker
can call a rule "Junk E-Mail Rule".
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, replace

from remediation.tenant import FORWARD_AS_ATTACHMENT_TO, FORWARD_TO, REDIRECT_TO, InboxRule, RuleRecipient

SYSTEM, EXTERNAL_FORWARD, HIDES_MAIL, INTERNAL_FORWARD, ORDINARY = (
    "system", "external_forward", "hides_mail", "internal_forward", "ordinary")
SUSPICIOUS = (EXTERNAL_FORWARD, HIDES_MAIL)
SYSTEM_RULE_NAME, SYSTEM_RULE_PREFIX = "junk e-mail rule", "microsoft.exchange.oof."
# Where an attacker parks replies and bounces so the victim does not see them
# (display names as Exchange prints them, and Graph's well-known folder names).
HIDING_FOLDERS = {"rss feeds", "rss subscriptions", "archive", "conversation history", "junk email",
                  "junk e-mail", "deleted items", "rssfeeds", "conversationhistory", "junkemail", "deleteditems"}
JUNK_FOLDERS = {"junk email", "junk e-mail", "junkemail"}
FORWARD_ACTIONS = {FORWARD_TO: "forwards to", FORWARD_AS_ATTACHMENT_TO: "forwards as attachment to",
                   REDIRECT_TO: "redirects to"}
# Get-Recipient would tell a guest or mail contact (whose mail leaves the tenant) from a mailbox.
UNRESOLVED = "Exchange recipient (EX:), not resolved; check it is not a guest or mail contact"


@dataclass(frozen=True)
class Verdict:
    kind: str
    reason: str
    notes: tuple[str, ...] = ()   # what a human should look at, whatever the kind

    @property
    def suspicious(self) -> bool:
        return self.kind in SUSPICIOUS

    @property
    def detail(self) -> str:
        return "; ".join((self.reason, *self.notes))


class Domains:
    """The tenant's domains: a recipient in one of them is inside the tenant (a subdomain is not)."""

    def __init__(self, names: Collection[str]) -> None:
        self.names = frozenset(name.lower() for name in names)

    def internal(self, recipient: RuleRecipient) -> bool:
        return recipient.organization or recipient.address.rpartition("@")[2].lower() in self.names

    def describe(self, recipient: RuleRecipient) -> str:
        where = (UNRESOLVED if recipient.organization else "inside the tenant" if self.internal(recipient)
                 else "outside the tenant")
        return f"{FORWARD_ACTIONS[recipient.action]} {recipient.address} ({where})"


def record(rule: InboxRule, domains: Domains) -> dict:
    """A rule as the job's snapshot keeps it."""
    return {"name": rule.name, "enabled": rule.enabled, "hidden": rule.hidden, "graphId": rule.id,
            "ruleIdentity": rule.identity,
            "forwards": [{"action": r.action, "address": r.address, "internal": domains.internal(r)}
                         for r in rule.recipients],
            "deletes": rule.deletes, "moveToFolder": rule.move_to, "markAsRead": rule.marks_read,
            "stopProcessingRules": rule.stops, "sendTextMessageNotificationTo": list(rule.text_message_to)}


def snapshot_key(record: dict) -> str:
    """The `InboxRule.key` of a rule the snapshot recorded."""
    return record.get("ruleIdentity") or record.get("graphId") or record.get("name") or ""


def merge(graph_rules: list[InboxRule], exchange_rules: list[InboxRule]) -> list[InboxRule]:
    """One list of the mailbox's rules: Graph's (with Exchange's folder names) and the hidden ones."""
    remaining = list(exchange_rules)
    merged = []
    for rule in graph_rules:
        twin = next((other for other in remaining if rule.identity and other.identity == rule.identity), None)
        if twin is None:
            named = [other for other in remaining if other.name == rule.name]
            twin = named[0] if len(named) == 1 else None
        if twin is not None:
            remaining.remove(twin)
            rule = replace(rule, identity=twin.identity or rule.identity, move_to=twin.move_to or rule.move_to,
                           text_message_to=twin.text_message_to)   # Graph's messageRule has no such action
        merged.append(replace(rule, hidden=False))
    return merged + [replace(rule, hidden=True) for rule in remaining]


def folder_name(path: str) -> str:
    """`adele:\\RSS Feeds`, `\\RSS Feeds` or `RSS Feeds` -> `RSS Feeds`."""
    return re.split(r"[\\/]", path.strip())[-1].strip()


def _system_name(rule: InboxRule) -> bool:
    lowered = rule.name.strip().lower()
    return lowered == SYSTEM_RULE_NAME or lowered.startswith(SYSTEM_RULE_PREFIX)


def _junk_rule_at_work(rule: InboxRule) -> bool:
    """The Junk E-Mail Rule moving junk to its folder: the one hiding the system does itself."""
    return (rule.hidden and rule.name.strip().lower() == SYSTEM_RULE_NAME and not rule.deletes
            and not rule.marks_read and not rule.recipients and folder_name(rule.move_to or "").lower() in JUNK_FOLDERS)


def classify(rule: InboxRule, domains: Domains) -> Verdict:
    """By the rule's actions first: a system rule's name only spares a rule that forwards
    nothing outside and hides nothing (but the Junk E-Mail Rule's own move to Junk Email)."""
    external = [r for r in rule.recipients if not domains.internal(r)]
    hiding = _hiding_reason(rule)
    if external:
        kind, reason = EXTERNAL_FORWARD, "; ".join(domains.describe(r) for r in external)
    elif hiding and not _junk_rule_at_work(rule):
        kind, reason = HIDES_MAIL, hiding
    elif rule.recipients:
        kind, reason = INTERNAL_FORWARD, "; ".join(domains.describe(r) for r in rule.recipients)
    elif _system_name(rule):
        kind, reason = SYSTEM, "system rule, left alone"
    else:
        kind, reason = ORDINARY, "neither forwards outside the tenant nor hides mail"
    unresolved = [domains.describe(r) for r in rule.recipients if r.organization and kind != INTERNAL_FORWARD]
    texts = [f"sends text message notifications to {', '.join(rule.text_message_to)}"] if rule.text_message_to else []
    moved = [f"{_out_of_sight(rule)}: check it is the owner's own rule"] if kind == ORDINARY and _out_of_sight(rule) else []
    return Verdict(kind, reason, tuple(unresolved + texts + moved))


def _hiding_reason(rule: InboxRule) -> str:
    if rule.deletes:
        return "deletes mail"
    folder = folder_name(rule.move_to) if rule.move_to else ""
    if folder.lower() in HIDING_FOLDERS:
        return f"moves mail to {folder}"
    if rule.hidden and _out_of_sight(rule):
        return _out_of_sight(rule)   # a rule the owner cannot even see in Outlook: no benefit of the doubt
    if rule.marks_read and not _other_purpose(rule) and not rule.recipients:
        return "marks mail as read and does nothing else"
    return ""


def _other_purpose(rule: InboxRule) -> bool:
    """An action with a purpose of its own: a mark-as-read rule that also does one of these is not
    "marking read and nothing else" (moving and marking read still hides mail: see _out_of_sight)."""
    return bool(rule.move_to or rule.copy_to or rule.categories or rule.importance)


def _out_of_sight(rule: InboxRule) -> str:
    """Moved and marked read, or moved with later rules stopped: an attacker's usual pair, and
    also many owners' newsletter rule, so a visible one is reported, a hidden one disabled."""
    folder = folder_name(rule.move_to) if rule.move_to else ""
    if folder and rule.marks_read:
        return f"moves mail to {folder} and marks it as read"
    if folder and rule.stops:
        return f"moves mail to {folder} and stops processing other rules"
    return ""


def describe(rule: InboxRule) -> str:
    hidden = " (hidden)" if rule.hidden else ""
    return f"'{rule.name}'{hidden}"
