"""The domain's ports: what the playbook needs from the outside world, by intent.

The tenant's ports (Directory, ExchangeAdmin) return the typed models of remediation/tenant.py.

The real adapters live in `remediation/gateways/` (Graph on msgraph-sdk, Exchange's admin
API on httpx, Storage on the `.aio` clients); unit tests use fakes implementing the same
protocols. Every method raises only errors of `remediation/errors.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from remediation.models import Job
from remediation.tenant import (
    AuthMethod, Block, CasSettings, Delegate, DirectoryUser, Domain, InboxRule, MailboxForwarding, Recipient,
    SecurityAlert,
)
from remediation.tenant_activity import MessageTrace, SignIn
from remediation.tenant_apps import PermissionGrant, ServicePrincipal


class Directory(Protocol):
    """Microsoft Graph (Entra ID users, mail, security alerts)."""

    async def get_user(self, user: str) -> DirectoryUser:
        """By id, UPN, or an address that is neither (mail or a proxy address: the blocked list names
        senders by SMTP address), with accountEnabled, onPremisesSyncEnabled and proxyAddresses selected.
        NotFoundError if absent; PermanentError naming them if an address names several users."""

    async def domains(self) -> list[Domain]: ...

    async def reset_password(self, user_id: str, password: str) -> None:
        """PATCH passwordProfile with forceChangePasswordNextSignIn. The password is never logged."""

    async def revoke_sessions(self, user_id: str) -> None: ...

    async def disable_account(self, user_id: str) -> None:
        """accountEnabled: false (containment)."""

    async def member_of(self, user_id: str, group_ids: list[str]) -> list[str]:
        """Which of group_ids the user is a (transitive) member of (POST checkMemberGroups)."""

    async def inbox_rules(self, user_id: str) -> list[InboxRule]:
        """The inbox's messageRules (source "graph"; hidden rules are absent)."""

    async def disable_inbox_rule(self, user_id: str, rule_id: str) -> InboxRule:
        """PATCH isEnabled false; returns the whole rule."""

    async def auth_methods(self, user_id: str) -> list[AuthMethod]:
        """authentication/methods, every type (the password too)."""

    async def delete_auth_method(self, user_id: str, method: AuthMethod) -> None:
        """DELETE through the method type's own collection; NotFoundError when it is gone already,
        ServiceRejectedError for the default method while others exist."""

    async def permission_grants(self, user_id: str) -> list[PermissionGrant]:
        """The delegated consents that name the user (oauth2PermissionGrants)."""

    async def consented_app(self, principal_id: str) -> ServicePrincipal:
        """The app a grant's clientId names."""

    async def delete_permission_grant(self, grant_id: str) -> None:
        """NotFoundError when it is gone already."""

    async def create_permission_grant(self, grant: PermissionGrant) -> None:
        """The rollback's POST /oauth2PermissionGrants: the grant as a snapshot kept it (Graph gives a new id)."""

    async def confirm_compromised(self, user_id: str) -> None:
        """Identity Protection's confirmCompromised; PermissionError_ without Entra ID P2 or the permission."""

    async def send_mail(self, sender: str, recipients: list[str], subject: str, html_body: str) -> None: ...

    async def security_alerts(self, since: datetime, service_source: str) -> list[SecurityAlert]:
        """alerts_v2 updated since `since`, every page followed."""

    async def sign_ins(self, user_id: str, since: datetime) -> list[SignIn]:
        """auditLogs/signIns of the user created since `since`, every page followed. PermissionError_
        without AuditLog.Read.All, LicenceError without Entra ID P1."""


class ExchangeAdmin(Protocol):
    """Exchange Online through the admin API's InvokeCommand."""

    async def blocked_senders(self, sender: str | None = None) -> list[Block]:
        """Get-BlockedSenderAddress [-SenderAddress]; every page followed."""

    async def unblock(self, sender: str) -> None:
        """Remove-BlockedSenderAddress. UnblockCapError when Microsoft's cap is reached."""

    async def mailbox_forwarding(self, mailbox: str) -> MailboxForwarding:
        """Get-Mailbox: the three forwarding fields (smtp: prefix kept as Exchange gives it)."""

    async def clear_mailbox_forwarding(self, mailbox: str) -> None:
        """Set-Mailbox ForwardingSmtpAddress=$null ForwardingAddress=$null DeliverToMailboxAndForward=$false."""

    async def delegates(self, mailbox: str) -> list[Delegate]:
        """Get-MailboxPermission (FullAccess), Get-RecipientPermission (SendAs), Get-Mailbox's GrantSendOnBehalfTo;
        inherited, deny and NT AUTHORITY entries included (the step decides)."""

    async def recipient(self, identity: str) -> Recipient | None:
        """Get-Recipient -Identity: None when Exchange knows no such recipient."""

    async def remove_delegate(self, mailbox: str, delegate: Delegate) -> None:
        """Remove-MailboxPermission / Remove-RecipientPermission / Set-Mailbox -GrantSendOnBehalfTo @{remove=...};
        NotFoundError when the right is already gone."""

    async def add_delegate(self, mailbox: str, delegate: Delegate) -> None:
        """The rollback's inverse: Add-MailboxPermission / Add-RecipientPermission / GrantSendOnBehalfTo @{add=...}."""

    async def set_mailbox_forwarding(self, mailbox: str, forwarding: MailboxForwarding) -> None:
        """The rollback's Set-Mailbox: the three forwarding fields as a snapshot had them."""

    async def enable_inbox_rule(self, mailbox: str, rule_identity: str) -> None:
        """The rollback's Enable-InboxRule -Mailbox -Identity (RuleIdentity)."""

    async def cas_settings(self, mailbox: str) -> CasSettings:
        """Get-CASMailbox -Identity: SMTP AUTH, POP and IMAP of the mailbox."""

    async def set_cas_settings(self, mailbox: str, settings: CasSettings) -> None:
        """Set-CASMailbox -SmtpClientAuthenticationDisabled -PopEnabled -ImapEnabled (nothing else)."""

    async def inbox_rules(self, mailbox: str, include_hidden: bool = True) -> list[InboxRule]:
        """Get-InboxRule -Mailbox [-IncludeHidden] (source "exchange"; `hidden` is not known to Exchange:
        rules.merge sets it)."""

    async def disable_inbox_rule(self, mailbox: str, rule_identity: str) -> None:
        """Disable-InboxRule -Mailbox -Identity -Confirm:$false."""

    async def message_trace(self, sender: str, start: datetime, end: datetime, limit: int) -> MessageTrace:
        """Get-MessageTraceV2 -SenderAddress -StartDate -EndDate, newest first, paged the way Microsoft
        documents (-StartingRecipientAddress and -EndDate of the last row) up to `limit` rows."""


# Claim kinds (JobStore.claim): one marker per key, naming the job that holds it.
ACTIVE = "active"   # key: user; the user's one job still going
BLOCK = "block"     # key: user|CreatedDatetime; the job that handles one block
ALERT = "alert"     # key: an alert's dedupe key, or content|contentId of a webhook notification
MAIL = "mail"       # key: what a once-only mail is about
CLAIM_KINDS = (ACTIVE, BLOCK, ALERT, MAIL)


@dataclass
class Page:
    items: list[Job]
    continuation: str | None = None


class JobStore(Protocol):
    """Table storage. Every write of a job is ETag-guarded; claims are create-if-absent."""

    async def add(self, job: Job) -> Job:
        """Insert a new job; ConflictError if the id exists. Returns it with its etag."""

    async def get(self, job_id: str) -> Job:
        """NotFoundError if absent. The job carries its etag."""

    async def save(self, job: Job) -> Job:
        """Replace the job if its etag still matches, else ConflictError. Returns it with the new etag."""

    async def query(self, user: str | None = None, status: str | None = None, limit: int = 50,
                    continuation: str | None = None) -> Page: ...

    async def claim(self, kind: str, key: str, job_id: str) -> str | None:
        """Create-if-absent marker `kind/key` -> job_id (`kind` one of CLAIM_KINDS). None when claimed
        now, else the id already there."""

    async def release(self, kind: str, key: str, job_id: str) -> None:
        """Delete the marker if it still names job_id (ETag-guarded)."""

    async def claimed(self, kind: str, key: str) -> str | None:
        """The job id a marker names, or None."""

    async def record_unblock(self, user: str, at: datetime, job_id: str) -> None: ...

    async def unblocks_since(self, user: str, since: datetime) -> int: ...

    async def add_automatic_job(self, at: datetime) -> int:
        """Add one to the tenant-wide counter of automatic jobs in `at`'s hour; returns the new count."""

    async def automatic_jobs(self, at: datetime) -> int:
        """The counter of automatic jobs in `at`'s hour, unchanged."""

    async def get_marker(self, name: str) -> str | None:
        """Small named values: watermarks, 'breaker mail sent for hour H'."""

    async def set_marker(self, name: str, value: str) -> None: ...


@dataclass
class QueuedMessage:
    id: str
    body: dict
    dequeue_count: int
    inserted_on: datetime | None = None


class WorkQueue(Protocol):
    """The remediation queue (messages base64-encoded JSON, as the Functions trigger expects)."""

    async def send(self, body: dict, *, delay_seconds: int = 0) -> None: ...

    async def poison_messages(self, limit: int = 32) -> list[QueuedMessage]:
        """Peek the `<queue>-poison` queue."""
