"""Inbox rules as Get-InboxRule shows them.

The tenant keeps one store of rules, in Graph's messageRule shape (plus `hidden`); this module
renders a rule in Exchange's InboxRule shape. Each row of FIELDS maps one Graph property
(of `conditions`, `exceptions` or `actions`) to its Exchange property, with the kind of value
and the phrase Exchange's `Description` uses for it.
"""

from __future__ import annotations

from localdev.tenant.exchange_format import record
from localdev.tenant.exchange_mailbox import alias, render_recipient
from localdev.tenant.state import TenantState, rule_identity

# (Graph name, Exchange name, kind, Description phrase); conditions and exceptions share rows.
PREDICATES = [
    ("subjectContains", "SubjectContainsWords", "words", "includes {} in the subject"),
    ("bodyContains", "BodyContainsWords", "words", "includes {} in the body"),
    ("bodyOrSubjectContains", "SubjectOrBodyContainsWords", "words", "includes {} in the subject or body"),
    ("senderContains", "FromAddressContainsWords", "words", "includes {} in the sender's address"),
    ("recipientContains", "RecipientAddressContainsWords", "words", "includes {} in the recipient's address"),
    ("headerContains", "HeaderContainsWords", "words", "includes {} in the message header"),
    ("fromAddresses", "From", "recipients", "is received from {}"),
    ("sentToAddresses", "SentTo", "recipients", "is sent to {}"),
    ("hasAttachments", "HasAttachment", "flag", "has an attachment"),
    ("sentToMe", "MyNameInToBox", "flag", "is sent to me"),
    ("sentCcMe", "MyNameInCcBox", "flag", "has my name in the Cc box"),
    ("sentToOrCcMe", "MyNameInToOrCcBox", "flag", "has my name in the To or Cc box"),
    ("notSentToMe", "MyNameNotInToBox", "flag", "doesn't have my name in the To box"),
    ("sentOnlyToMe", "SentOnlyToMe", "flag", "is sent only to me"),
    ("importance", "WithImportance", "text", "is marked with {} importance"),
    ("sensitivity", "WithSensitivity", "text", "is marked as {}"),
    ("messageActionFlag", "FlaggedForAction", "text", "is flagged for {}"),
]
ACTIONS = [
    ("forwardTo", "ForwardTo", "recipients", "forward the message to {}"),
    ("forwardAsAttachmentTo", "ForwardAsAttachmentTo", "recipients", "forward the message as an attachment to {}"),
    ("redirectTo", "RedirectTo", "recipients", "redirect the message to {}"),
    ("delete", "DeleteMessage", "flag", "move the message to Deleted Items"),
    ("permanentDelete", "SoftDeleteMessage", "flag", "delete the message"),
    ("moveToFolder", "MoveToFolder", "folder", "move the message to folder {}"),
    ("copyToFolder", "CopyToFolder", "folder", "copy the message to folder {}"),
    ("markAsRead", "MarkAsRead", "flag", "mark the message as read"),
    ("markImportance", "MarkImportance", "text", "mark the message with {} importance"),
    ("assignCategories", "ApplyCategory", "words", "mark the message with categories {}"),
    ("stopProcessingRules", "StopProcessingRules", "flag", "stop processing more rules on this message"),
]
# Graph's is* message-type predicates are one Exchange property, MessageTypeMatches.
MESSAGE_TYPES = {
    "isAutomaticForward": "AutomaticForward", "isAutomaticReply": "AutomaticReply", "isEncrypted": "Encrypted",
    "isMeetingRequest": "Calendaring", "isMeetingResponse": "CalendaringResponse", "isSigned": "Signed",
    "isPermissionControlled": "PermissionControlled", "isVoicemail": "Voicemail", "isReadReceipt": "ReadReceipt",
    "isApprovalRequest": "ApprovalRequest", "isNonDeliveryReport": "NonDeliveryReport",
}
WELL_KNOWN_FOLDERS = {
    "inbox": "Inbox", "deleteditems": "Deleted Items", "junkemail": "Junk Email", "archive": "Archive",
    "rssfeeds": "RSS Feeds", "conversationhistory": "Conversation History", "sentitems": "Sent Items",
    "drafts": "Drafts", "outbox": "Outbox", "notes": "Notes",
}
NEWLINE = "\r\n"


def _folder_name(user: dict, folder: str) -> str:
    """Graph names a folder by id (or well-known name); Exchange by its display name."""
    named = next((entry.get("displayName") for entry in user.get("mailFolders") or []
                  if entry.get("id") == folder), None)
    return named or WELL_KNOWN_FOLDERS.get(folder.lower(), folder)


def _value(state: TenantState, user: dict, kind: str, value):
    """The Exchange value of one Graph value, or None/False when Graph has none."""
    if kind == "flag":
        return bool(value)
    if value in (None, [], ""):
        return None
    if kind == "recipients":
        return [render_recipient(state, recipient) for recipient in value]
    if kind == "folder":
        return f"{alias(user)}:\\{_folder_name(user, str(value))}"
    if kind == "text":
        return str(value).capitalize()
    return list(value)


def _phrase(template: str, kind: str, value) -> str:
    if kind == "flag":
        return template
    shown = " or ".join(f"'{item}'" for item in value) if isinstance(value, list) else f"'{value}'"
    return template.format(shown)


def _section(state: TenantState, user: dict, graph: dict, rows: list, prefix: str = "") -> tuple[list, list]:
    fields, phrases = [], []
    for graph_name, exchange_name, kind, template in rows:
        value = _value(state, user, kind, graph.get(graph_name))
        fields.append((prefix + exchange_name, value, "Strings" if isinstance(value, list) else None))
        if value:
            phrases.append(_phrase(template, kind, value))
    types = [MESSAGE_TYPES[name] for name in MESSAGE_TYPES if graph.get(name)]
    fields.append((prefix + "MessageTypeMatches", types[0] if types else None))
    phrases.extend(f"is of type '{kind}'" for kind in types)
    return fields, phrases


def _description(conditions: list, exceptions: list, actions: list) -> str:
    text = ""
    for heading, phrases in (("If the message:", conditions), ("Take the following actions:", actions),
                             ("Except if the message:", exceptions)):
        if phrases:
            text += heading + NEWLINE + "\t" + f"{NEWLINE}\tand ".join(phrases) + NEWLINE
    return text


def inbox_rule(state: TenantState, user: dict, rule: dict) -> dict:
    """The Get-InboxRule object of a rule kept in Graph's shape."""
    identity = rule_identity(rule["id"])
    condition_fields, conditions = _section(state, user, rule.get("conditions") or {}, PREDICATES)
    exception_fields, exceptions = _section(state, user, rule.get("exceptions") or {}, PREDICATES, "ExceptIf")
    action_fields, actions = _section(state, user, rule.get("actions") or {}, ACTIONS)
    action_fields = [field for field in action_fields if field[0] != "MessageTypeMatches"]
    return record(
        ("Name", rule.get("displayName")),
        ("Identity", f"{alias(user)}\\{identity}"),
        ("RuleIdentity", identity),
        ("MailboxOwnerId", alias(user)),
        ("Enabled", bool(rule.get("isEnabled", True))),
        ("Priority", int(rule.get("sequence") or 0), "Int32"),
        ("InError", bool(rule.get("hasError"))),
        ("SupportedByTask", True),
        ("Legacy", False),
        *condition_fields, *action_fields, *exception_fields,
        ("Description", _description(conditions, exceptions, actions)),
        ("IsValid", True),
        ("ObjectState", "Unchanged"),
    )


def find_rule(user: dict, identity: str, *, include_hidden: bool = True) -> dict | None:
    """A rule by RuleIdentity, `mailbox\\RuleIdentity` or name, as Exchange resolves -Identity."""
    key = str(identity).rpartition("\\")[2].strip()
    rules = [rule for rule in user["inboxRules"] if include_hidden or not rule.get("hidden")]
    by_identity = next((rule for rule in rules if rule_identity(rule["id"]) == key), None)
    return by_identity or next((rule for rule in rules
                                if str(rule.get("displayName", "")).lower() == key.lower()), None)
