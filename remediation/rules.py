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

import base64
import binascii
import re
from dataclasses import dataclass, field

SYSTEM, EXTERNAL_FORWARD, HIDES_MAIL, INTERNAL_FORWARD, ORDINARY = (
    "system", "external_forward", "hides_mail", "internal_forward", "ordinary")
SUSPICIOUS = (EXTERNAL_FORWARD, HIDES_MAIL)
SYSTEM_RULE_NAME, SYSTEM_RULE_PREFIX = "junk e-mail rule", "microsoft.exchange.oof."
# Where an attacker parks replies and bounces so the victim does not see them
# (display names as Exchange prints them, and Graph's well-known folder names).
HIDING_FOLDERS = {"rss feeds", "rss subscriptions", "archive", "conversation history", "junk email",
                  "junk e-mail", "deleted items", "rssfeeds", "conversationhistory", "junkemail", "deleteditems"}
JUNK_FOLDERS = {"junk email", "junk e-mail", "junkemail"}
FORWARD_ACTIONS = {"forwardTo": "forwards to", "forwardAsAttachmentTo": "forwards as attachment to",
                   "redirectTo": "redirects to"}
EXCHANGE_FORWARDS = {"ForwardTo": "forwardTo", "ForwardAsAttachmentTo": "forwardAsAttachmentTo",
                     "RedirectTo": "redirectTo"}
# Actions with a purpose of their own: a mark-as-read rule that also does one of these is not
# "marking read and nothing else" (moving and marking read still hides mail: see _hiding_reason).
GRAPH_PURPOSES = ("moveToFolder", "copyToFolder", "assignCategories", "markImportance")
EXCHANGE_PURPOSES = ("MoveToFolder", "CopyToFolder", "ApplyCategory", "MarkImportance")
_SMTP = re.compile(r"\[SMTP:([^\]]+)\]", re.IGNORECASE)
# One recipient in Exchange's notation (`"Name" [SMTP:addr]`, `"Name" [EX:/o=...]`), for a
# multi-valued property that arrives as one string.
_EXCHANGE_RECIPIENT = re.compile(r"[^\[\],;]*\[[A-Za-z]+:[^\]]*\]")
# Get-Recipient would tell a guest or mail contact (whose mail leaves the tenant) from a mailbox.
UNRESOLVED = "Exchange recipient (EX:), not resolved; check it is not a guest or mail contact"


@dataclass(frozen=True)
class Recipient:
    action: str          # forwardTo, forwardAsAttachmentTo, redirectTo
    address: str         # an SMTP address, or Exchange's text for an organization recipient
    internal: bool
    unresolved: bool = False   # [EX:...]: of the organization by its notation, not looked up

    def describe(self) -> str:
        where = UNRESOLVED if self.unresolved else "inside the tenant" if self.internal else "outside the tenant"
        return f"{FORWARD_ACTIONS[self.action]} {self.address} ({where})"


@dataclass
class InboxRule:
    name: str
    enabled: bool
    hidden: bool
    graph_id: str | None = None
    identity: str | None = None          # Exchange's RuleIdentity
    recipients: list[Recipient] = field(default_factory=list)
    deletes: bool = False
    move_to: str | None = None
    marks_read: bool = False
    other_purpose: bool = False
    stops: bool = False                  # stop processing more rules
    text_message_to: list[str] = field(default_factory=list)   # Exchange's SendTextMessageNotificationTo

    @property
    def key(self) -> str:
        return self.identity or self.graph_id or self.name

    def to_json(self) -> dict:
        return {"name": self.name, "enabled": self.enabled, "hidden": self.hidden, "graphId": self.graph_id,
                "ruleIdentity": self.identity,
                "forwards": [{"action": r.action, "address": r.address, "internal": r.internal}
                             for r in self.recipients],
                "deletes": self.deletes, "moveToFolder": self.move_to, "markAsRead": self.marks_read,
                "stopProcessingRules": self.stops, "sendTextMessageNotificationTo": self.text_message_to}


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


def rule_identity(graph_id: str) -> str | None:
    try:
        raw = base64.b64decode(graph_id, validate=True)
    except (binascii.Error, ValueError):
        return None
    return str(int.from_bytes(raw, "little")) if len(raw) == 8 else None


def _identity(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return str(int(text)) if text.isdigit() else (text or None)


def _internal(address: str, domains: set[str]) -> bool:
    return address.rpartition("@")[2].lower() in domains


def _texts(value: object) -> list[str]:
    """A multi-valued Exchange property: a list, or one string (one value, or several joined)."""
    if isinstance(value, (list, tuple)):
        return [text for item in value if item is not None and (text := str(item).strip())]
    if value is None or not str(value).strip():
        return []
    text = str(value)
    parts = _EXCHANGE_RECIPIENT.findall(text) or re.split(r"[;,]", text)
    return [part.strip(" ,;") for part in parts if part.strip(" ,;")]


def _exchange_recipient(action: str, text: str, domains: set[str]) -> Recipient:
    """Exchange prints `"Name" [SMTP:addr]` for outside addresses and `[EX:/o=...]` for its own."""
    if "[EX:" in text.upper():
        return Recipient(action, text, True, unresolved=True)
    match = _SMTP.search(text)
    address = (match.group(1) if match else text).strip().strip('"')
    return Recipient(action, address, _internal(address, domains))


def _graph_rule(rule: dict, domains: set[str]) -> InboxRule:
    actions = rule.get("actions") or {}
    recipients = [Recipient(action, address, _internal(address, domains))
                  for action in FORWARD_ACTIONS for item in actions.get(action) or []
                  if (address := ((item or {}).get("emailAddress") or {}).get("address") or "")]
    return InboxRule(
        name=rule.get("displayName") or "", enabled=bool(rule.get("isEnabled", True)), hidden=False,
        graph_id=rule.get("id"), identity=rule_identity(rule.get("id") or ""), recipients=recipients,
        deletes=bool(actions.get("delete") or actions.get("permanentDelete")),
        move_to=actions.get("moveToFolder") or None, marks_read=bool(actions.get("markAsRead")),
        other_purpose=any(actions.get(name) for name in GRAPH_PURPOSES), stops=bool(actions.get("stopProcessingRules")))


def _exchange_rule(rule: dict, domains: set[str]) -> InboxRule:
    recipients = [_exchange_recipient(action, text, domains)
                  for name, action in EXCHANGE_FORWARDS.items() for text in _texts(rule.get(name))]
    return InboxRule(
        name=rule.get("Name") or "", enabled=_flag(rule.get("Enabled", True)), hidden=True,
        identity=_identity(rule.get("RuleIdentity")), recipients=recipients,
        deletes=_flag(rule.get("DeleteMessage")) or _flag(rule.get("SoftDeleteMessage")),
        move_to=rule.get("MoveToFolder") or None, marks_read=_flag(rule.get("MarkAsRead")),
        other_purpose=any(rule.get(name) for name in EXCHANGE_PURPOSES), stops=_flag(rule.get("StopProcessingRules")),
        text_message_to=_texts(rule.get("SendTextMessageNotificationTo")))


def _flag(value: object) -> bool:
    return value is True or str(value).strip().lower() == "true"


def merge(graph_rules: list[dict], exchange_rules: list[dict], tenant_domains: list[str]) -> list[InboxRule]:
    """One list of the mailbox's rules: Graph's (with Exchange's folder names) and the hidden ones."""
    domains = {domain.lower() for domain in tenant_domains}
    remaining = [_exchange_rule(rule, domains) for rule in exchange_rules]
    merged = []
    for rule in (_graph_rule(item, domains) for item in graph_rules):
        twin = next((other for other in remaining if rule.identity and other.identity == rule.identity), None)
        if twin is None:
            named = [other for other in remaining if other.name == rule.name]
            twin = named[0] if len(named) == 1 else None
        if twin is not None:
            remaining.remove(twin)
            rule.identity = twin.identity or rule.identity
            rule.move_to = twin.move_to or rule.move_to
            rule.text_message_to = twin.text_message_to   # Graph's messageRule has no such action
        merged.append(rule)
    return merged + remaining


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


def classify(rule: InboxRule) -> Verdict:
    """By the rule's actions first: a system rule's name only spares a rule that forwards
    nothing outside and hides nothing (but the Junk E-Mail Rule's own move to Junk Email)."""
    external = [r for r in rule.recipients if not r.internal]
    hiding = _hiding_reason(rule)
    if external:
        kind, reason = EXTERNAL_FORWARD, "; ".join(r.describe() for r in external)
    elif hiding and not _junk_rule_at_work(rule):
        kind, reason = HIDES_MAIL, hiding
    elif rule.recipients:
        kind, reason = INTERNAL_FORWARD, "; ".join(r.describe() for r in rule.recipients)
    elif _system_name(rule):
        kind, reason = SYSTEM, "system rule, left alone"
    else:
        kind, reason = ORDINARY, "neither forwards outside the tenant nor hides mail"
    unresolved = [r.describe() for r in rule.recipients if r.unresolved and kind != INTERNAL_FORWARD]
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
    if rule.marks_read and not rule.other_purpose and not rule.recipients:
        return "marks mail as read and does nothing else"
    return ""


def _out_of_sight(rule: InboxRule) -> str:
    """Moved and marked read, or moved with later rules stopped: an attacker's usual pair, and
    also many owners' newsletter rule, so a visible one is reported, a hidden one disabled."""
    folder = folder_name(rule.move_to) if rule.move_to else ""
    if folder and rule.marks_read:
        return f"moves mail to {folder} and marks it as read"
    if folder and rule.stops:
        return f"moves mail to {folder} and stops processing other rules"
    return ""


def snapshot_key(item: dict) -> str:
    """`InboxRule.key` of a rule as a snapshot recorded it (`InboxRule.to_json`)."""
    return item.get("ruleIdentity") or item.get("graphId") or item.get("name") or ""


def describe(rule: InboxRule) -> str:
    hidden = " (hidden)" if rule.hidden else ""
    return f"'{rule.name}'{hidden}"
