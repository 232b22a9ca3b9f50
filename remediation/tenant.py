"""What the tenant ports return (remediation/ports.py: Directory, ExchangeAdmin), typed and frozen.

The gateways (remediation/gateways/) parse Graph's and Exchange's wire shapes into these
models; nothing above them reads a response dict. A model kept in the job JSON (a block,
mailbox forwarding) has `to_json()`, in the shape the job JSON has always had.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from remediation.models import normalize_user

# Which service listed an inbox rule.
GRAPH, EXCHANGE = "graph", "exchange"
# The actions that send a rule's mail on (Graph's names, used for Exchange's rules too).
FORWARD_TO, FORWARD_AS_ATTACHMENT_TO, REDIRECT_TO = "forwardTo", "forwardAsAttachmentTo", "redirectTo"


@dataclass(frozen=True)
class DirectoryUser:
    id: str
    user_principal_name: str
    mail: str = ""
    display_name: str = ""
    account_enabled: bool | None = None
    on_premises_sync_enabled: bool | None = None
    proxy_addresses: tuple[str, ...] = ()   # as Graph gives them: "SMTP:primary", "smtp:alias", "SIP:..."
    last_password_change: str | None = None  # lastPasswordChangeDateTime

    @property
    def domain(self) -> str:
        return self.user_principal_name.rpartition("@")[2].lower()

    @property
    def addresses(self) -> set[str]:
        """Every name that reaches the user's mailbox, in lower case: the UPN, mail and SMTP proxy addresses."""
        smtp = [proxy[5:] for proxy in self.proxy_addresses if proxy.lower().startswith("smtp:")]
        return {normalize_user(name) for name in (self.user_principal_name, self.mail, *smtp) if name}


@dataclass(frozen=True)
class Domain:
    id: str
    authentication_type: str = "Managed"   # "Managed" or "Federated"
    is_verified: bool = True

    @property
    def federated(self) -> bool:
        return self.authentication_type.lower() == "federated"


@dataclass(frozen=True)
class Block:
    """One entry of Get-BlockedSenderAddress."""

    sender: str
    created: str                    # CreatedDatetime as Exchange gave it (ISO 8601)
    reason: str = ""
    reason_parts: dict = field(default_factory=dict)
    temporary: bool = False
    changed: str = ""

    def to_json(self) -> dict:
        return {"senderAddress": self.sender, "createdDatetime": self.created, "reason": self.reason,
                "reasonParts": self.reason_parts, "temporaryBlock": self.temporary,
                "changedDatetime": self.changed or None}


@dataclass(frozen=True)
class MailboxForwarding:
    forwarding_smtp_address: str | None = None
    forwarding_address: str | None = None
    deliver_to_mailbox_and_forward: bool = False

    @property
    def is_set(self) -> bool:
        return bool(self.forwarding_smtp_address or self.forwarding_address or self.deliver_to_mailbox_and_forward)

    def to_json(self) -> dict:
        return {"ForwardingSmtpAddress": self.forwarding_smtp_address, "ForwardingAddress": self.forwarding_address,
                "DeliverToMailboxAndForward": self.deliver_to_mailbox_and_forward}

    @classmethod
    def from_json(cls, data: dict) -> "MailboxForwarding":
        """A snapshot saved by `to_json()`."""
        return cls(data.get("ForwardingSmtpAddress"), data.get("ForwardingAddress"),
                   bool(data.get("DeliverToMailboxAndForward")))


@dataclass(frozen=True)
class CasSettings:
    """The legacy protocols of Get-CASMailbox that legacy_protocols closes. SmtpClientAuthenticationDisabled
    is three-valued: None follows the organization's setting, True/False override it for the mailbox."""
    smtp_client_authentication_disabled: bool | None = None
    pop_enabled: bool = True
    imap_enabled: bool = True

    @property
    def closed(self) -> bool:
        return self.smtp_client_authentication_disabled is True and not self.pop_enabled and not self.imap_enabled

    def to_json(self) -> dict:
        return {"SmtpClientAuthenticationDisabled": self.smtp_client_authentication_disabled,
                "PopEnabled": self.pop_enabled, "ImapEnabled": self.imap_enabled}

    @classmethod
    def from_json(cls, data: dict) -> "CasSettings":
        """A snapshot saved by `to_json()`."""
        smtp = data.get("SmtpClientAuthenticationDisabled")
        return cls(None if smtp is None else bool(smtp), bool(data.get("PopEnabled")), bool(data.get("ImapEnabled")))


CLOSED_CAS = CasSettings(True, False, False)

# The delegate rights mailbox_delegates reviews, by Exchange's own names.
FULL_ACCESS, SEND_AS, SEND_ON_BEHALF = "FullAccess", "SendAs", "SendOnBehalf"


@dataclass(frozen=True)
class Delegate:
    """One right on a mailbox held by someone else: Get-MailboxPermission (FullAccess),
    Get-RecipientPermission (SendAs) or Get-Mailbox's GrantSendOnBehalfTo (SendOnBehalf)."""
    right: str
    trustee: str                # as Exchange names it: a UPN, an alias, `NT AUTHORITY\SELF`
    inherited: bool = False
    deny: bool = False

    def to_json(self) -> dict:
        return {"right": self.right, "trustee": self.trustee}

    @classmethod
    def from_json(cls, data: dict) -> "Delegate":
        return cls(data["right"], data["trustee"])


@dataclass(frozen=True)
class Recipient:
    """Get-Recipient: whom a trustee names, and the address mail to them goes to."""
    identity: str
    address: str                # ExternalEmailAddress for mail users, contacts and guests, else PrimarySmtpAddress
    kind: str = ""              # RecipientTypeDetails


@dataclass(frozen=True)
class RuleRecipient:
    action: str                 # FORWARD_TO, FORWARD_AS_ATTACHMENT_TO or REDIRECT_TO
    address: str                # an SMTP address, or Exchange's text for a recipient of the organization
    organization: bool = False  # named in Exchange's own notation ([EX:/o=...]): the tenant's, not looked up


@dataclass(frozen=True)
class InboxRule:
    """One inbox rule as Graph (messageRule) or Exchange (Get-InboxRule) lists it."""

    source: str                          # GRAPH or EXCHANGE
    name: str
    enabled: bool
    id: str | None = None                # Graph's messageRule id
    identity: str | None = None          # Exchange's RuleIdentity (a Graph rule's is derived from its id)
    hidden: bool = False                 # only Exchange's -IncludeHidden lists it (known once both lists are joined)
    recipients: tuple[RuleRecipient, ...] = ()
    deletes: bool = False                # to Deleted Items, or permanently
    move_to: str | None = None           # Graph: a folder id or well-known name; Exchange: `alias:\Folder Name`
    copy_to: str | None = None
    categories: tuple[str, ...] = ()
    importance: str | None = None        # marks the importance
    marks_read: bool = False
    stops: bool = False                  # stop processing more rules
    text_message_to: tuple[str, ...] = ()   # Exchange's SendTextMessageNotificationTo (Graph has no such action)

    @property
    def key(self) -> str:
        return self.identity or self.id or self.name


@dataclass(frozen=True)
class AuthMethod:
    """One of a user's authentication methods (Graph's authentication/methods). `type` and `id`
    name it for a later removal: Graph deletes a method at `/{type}Methods/{id}`."""

    id: str
    type: str                  # "password", "phone", "microsoftAuthenticator", "fido2", ... ("" if not given)
    created: str | None = None  # the registration time as Graph gives it; absent on phone, email and OATH methods
    display_name: str = ""     # a device's or key's name
    phone_number: str = ""
    email_address: str = ""

    @property
    def label(self) -> str:
        return self.display_name or self.phone_number or self.email_address


@dataclass(frozen=True)
class SecurityAlert:
    """One Graph alerts_v2 alert, with the users its evidence names."""

    id: str
    title: str
    last_updated: datetime | None = None   # lastUpdateDateTime
    users: tuple[str, ...] = ()          # UPNs and mailbox addresses of its user and mailbox evidence
    provider_alert_id: str = ""            # the alert policy's alert GUID (see `alert_id`)

    @property
    def alert_id(self) -> str:
        """The name of the alert whichever path brings it: for Defender for Office 365 the providerAlertId
        is the alert policy's alert GUID, the AlertId of the Management Activity API's record of the same
        alert (alerts_v2 `id` is that GUID prefixed "fa")."""
        return self.provider_alert_id or self.id
