"""Exchange's cmdlet results as the tenant's models (remediation/tenant.py): Get-BlockedSenderAddress,
Get-Mailbox's forwarding, Get-CASMailbox's legacy protocols, the delegates
(Get-MailboxPermission, Get-RecipientPermission, GrantSendOnBehalfTo), Get-Recipient, Get-InboxRule and
Get-MessageTraceV2. Exchange's shapes are read here and nowhere else.

Exchange is loose with types: booleans come as true or "True", multi-valued properties as a
list or as one string, recipients in its own notation (`"Name" [SMTP:addr]`, `[EX:/o=...]`).
"""

from __future__ import annotations

import re

from remediation.models import parse_iso
from remediation.tenant import (
    EXCHANGE, FORWARD_AS_ATTACHMENT_TO, FORWARD_TO, FULL_ACCESS, REDIRECT_TO, SEND_AS, SEND_ON_BEHALF, Block,
    CasSettings, Delegate, InboxRule, MailboxForwarding, Recipient, RuleRecipient,
)
from remediation.tenant_activity import TracedMessage

FORWARDS = {"ForwardTo": FORWARD_TO, "ForwardAsAttachmentTo": FORWARD_AS_ATTACHMENT_TO, "RedirectTo": REDIRECT_TO}
_SMTP = re.compile(r"\[SMTP:([^\]]+)\]", re.IGNORECASE)
# One recipient in Exchange's notation, for a multi-valued property that arrives as one string.
_RECIPIENT = re.compile(r"[^\[\],;]*\[[A-Za-z]+:[^\]]*\]")


def flag(value: object) -> bool:
    """Exchange's booleans, read leniently (true, "True", "true")."""
    return value is True or str(value).strip().lower() == "true"


def _address(value: object) -> str | None:
    """A forwarding address as Exchange gives it (`smtp:` prefix kept); blank means none."""
    text = str(value).strip() if value is not None else ""
    return text or None


def parse_block_reason(reason: str) -> dict:
    """`Reason` is loosely `key=value;key=value` (e.g. `ExceedingLimitType=...;OutboundSpam`): keep
    every part, `key:value` too, and a bare word as a key with an empty value."""
    parts: dict[str, str] = {}
    if not isinstance(reason, str):
        return parts
    for chunk in reason.replace(",", ";").split(";"):
        key, sep, value = chunk.partition("=")
        if not sep:
            key, _, value = chunk.partition(":")
        if key.strip():
            parts[key.strip()] = value.strip()
    return parts


def block(entry: dict) -> Block:
    reason = entry.get("Reason") if isinstance(entry.get("Reason"), str) else ""
    return Block(sender=entry.get("SenderAddress") or "", created=str(entry.get("CreatedDatetime") or ""),
                 reason=reason, reason_parts=parse_block_reason(reason), temporary=flag(entry.get("TemporaryBlock")),
                 changed=str(entry.get("ChangedDatetime") or ""))


def mailbox_forwarding(box: dict) -> MailboxForwarding:
    return MailboxForwarding(forwarding_smtp_address=_address(box.get("ForwardingSmtpAddress")),
                             forwarding_address=_address(box.get("ForwardingAddress")),
                             deliver_to_mailbox_and_forward=flag(box.get("DeliverToMailboxAndForward")))


def cas_settings(box: dict) -> CasSettings:
    """Get-CASMailbox: SmtpClientAuthenticationDisabled is null unless the mailbox overrides the organization."""
    smtp = box.get("SmtpClientAuthenticationDisabled")
    return CasSettings(None if smtp in (None, "") else flag(smtp), flag(box.get("PopEnabled", True)),
                       flag(box.get("ImapEnabled", True)))


def mailbox_permissions(entries: list[dict]) -> list[Delegate]:
    """Get-MailboxPermission: one entry per trustee, AccessRights a list (or one comma-joined string)."""
    return [Delegate(FULL_ACCESS, str(entry.get("User") or ""), flag(entry.get("IsInherited")), flag(entry.get("Deny")))
            for entry in entries if FULL_ACCESS.lower() in _rights(entry)]


def recipient_permissions(entries: list[dict]) -> list[Delegate]:
    """Get-RecipientPermission: Trustee, AccessRights, AccessControlType (Allow or Deny)."""
    return [Delegate(SEND_AS, str(entry.get("Trustee") or ""), flag(entry.get("IsInherited")),
                     str(entry.get("AccessControlType") or "Allow").lower() == "deny")
            for entry in entries if SEND_AS.lower() in _rights(entry)]


def send_on_behalf(box: dict) -> list[Delegate]:
    """Get-Mailbox's GrantSendOnBehalfTo: the delegates' identities."""
    return [Delegate(SEND_ON_BEHALF, trustee) for trustee in _texts(box.get("GrantSendOnBehalfTo"))]


def _rights(entry: dict) -> set[str]:
    value = entry.get("AccessRights")
    items = value if isinstance(value, (list, tuple)) else str(value or "").split(",")
    return {str(item).strip().lower() for item in items}


def recipient(entry: dict) -> Recipient:
    """Get-Recipient: a mail user, contact or guest is reached at ExternalEmailAddress (`SMTP:` dropped)."""
    external = str(entry.get("ExternalEmailAddress") or "").strip()
    address = external.split(":", 1)[1] if external.lower().startswith("smtp:") else external
    return Recipient(str(entry.get("Identity") or ""), address or str(entry.get("PrimarySmtpAddress") or ""),
                     str(entry.get("RecipientTypeDetails") or ""))


def _texts(value: object) -> tuple[str, ...]:
    """A multi-valued property: a list, or one string (one value, or several joined)."""
    if isinstance(value, (list, tuple)):
        return tuple(text for item in value if item is not None and (text := str(item).strip()))
    if value is None or not str(value).strip():
        return ()
    text = str(value)
    parts = _RECIPIENT.findall(text) or re.split(r"[;,]", text)
    return tuple(part.strip(" ,;") for part in parts if part.strip(" ,;"))


def _recipient(action: str, text: str) -> RuleRecipient:
    """Exchange prints `"Name" [SMTP:addr]` for outside addresses and `[EX:/o=...]` for its own."""
    if "[EX:" in text.upper():
        return RuleRecipient(action, text, organization=True)
    match = _SMTP.search(text)
    return RuleRecipient(action, (match.group(1) if match else text).strip().strip('"'))


def _identity(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return str(int(text)) if text.isdigit() else (text or None)


def inbox_rule(rule: dict) -> InboxRule:
    return InboxRule(
        source=EXCHANGE, name=rule.get("Name") or "", enabled=flag(rule.get("Enabled", True)),
        identity=_identity(rule.get("RuleIdentity")),
        recipients=tuple(_recipient(action, text)
                         for name, action in FORWARDS.items() for text in _texts(rule.get(name))),
        deletes=flag(rule.get("DeleteMessage")) or flag(rule.get("SoftDeleteMessage")),
        move_to=rule.get("MoveToFolder") or None, copy_to=rule.get("CopyToFolder") or None,
        categories=_texts(rule.get("ApplyCategory")), importance=rule.get("MarkImportance") or None,
        marks_read=flag(rule.get("MarkAsRead")), stops=flag(rule.get("StopProcessingRules")),
        text_message_to=_texts(rule.get("SendTextMessageNotificationTo")))


def traced_message(row: dict) -> TracedMessage:
    """One Get-MessageTraceV2 row (one message to one recipient); an unreadable Received is no time."""
    try:
        received = parse_iso(row.get("Received")) if isinstance(row.get("Received"), str) else None
    except ValueError:
        received = None
    return TracedMessage(received=received, recipient=str(row.get("RecipientAddress") or ""),
                         subject=str(row.get("Subject") or ""), status=str(row.get("Status") or ""),
                         trace_id=str(row.get("MessageTraceId") or ""))
