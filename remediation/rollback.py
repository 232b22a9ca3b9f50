"""Rollback of a false positive: restore, from the job's snapshots, what the job changed and can
be restored. Inbox rules the job disabled are enabled again, mailbox forwarding, delegates, app
consents (re-created from the whole grant the snapshot kept) and the legacy protocols are set
back. The password, the revoked sessions and removed authentication methods are listed as not
restorable; the sender is never blocked again.

Each item compares the tenant with the snapshot first, so a second rollback (or a redelivered
request) changes nothing; every restore is audited with the admin who asked and why, and the
job keeps each rollback with its result (`job.rollbacks`). The job's status stays: it says what
the remediation did, and the rollback record says what was undone.
"""

from __future__ import annotations

from typing import Awaitable, Callable

from remediation.audit import entry
from remediation.context import Context
from remediation.delegates import OUTSIDE, describe
from remediation.errors import PermanentError, RequestError, StateConflictError
from remediation.models import (
    APP_CONSENTS, AUTH_METHODS, AWAITING_RELEASE, DONE, DRY_RUN, INBOX_RULES, LEGACY_PROTOCOLS, MAILBOX_DELEGATES,
    MAILBOX_FORWARDING, RESET_PASSWORD, REVOKE_SESSIONS, Job, iso,
)
from remediation.steps.context import mailbox_of
from remediation.tenant import CasSettings, Delegate, MailboxForwarding
from remediation.tenant_apps import PermissionGrant

RESTORABLE = (INBOX_RULES, MAILBOX_FORWARDING, MAILBOX_DELEGATES, APP_CONSENTS, LEGACY_PROTOCOLS)
NOT_RESTORABLE = {
    RESET_PASSWORD: "the old password is unknown by design; the user sets a new one",
    REVOKE_SESSIONS: "revoked sessions cannot come back; the user signs in again",
    AUTH_METHODS: "removed authentication methods cannot be re-created; the user registers them again",
}


class Rollback:
    def __init__(self, context: Context) -> None:
        self.context = context

    async def run(self, job_id: str, by: str, reason: str, items: list[str] | None = None) -> Job:
        unknown = sorted(set(items or ()) - set(RESTORABLE))
        if unknown:
            raise RequestError(f"items: {', '.join(unknown)} cannot be rolled back; restorable: "
                               f"{', '.join(RESTORABLE)}")
        job = await self.context.journal.get(job_id)
        if job.mode == DRY_RUN:
            raise StateConflictError(f"job {job_id} ran in dry-run and changed nothing")
        if not job.terminal and job.status != AWAITING_RELEASE:
            raise StateConflictError(f"job {job_id} is {job.status}: roll it back once it has finished")
        mailbox = mailbox_of(await self.context.ports.directory.get_user(job.user))
        wanted = [name for name in RESTORABLE if (not items or name in items)
                  and job.step(name).status == DONE and job.snapshot.get(name) is not None]
        audit, results = [], {}
        for name in wanted:
            results[name] = await RESTORERS[name](self, job, mailbox, _Audit(self.context, audit, by, reason))
        return await self._record(job_id, by, reason, results, audit)

    async def _record(self, job_id: str, by: str, reason: str, results: dict, audit: list) -> Job:
        def decide(job: Job) -> bool:
            job.audit.extend(audit)
            job.rollbacks.append({"at": iso(self.context.clock()), "by": by, "reason": reason, "restored": results,
                                  "notRestorable": dict(NOT_RESTORABLE)})
            return True
        return await self.context.journal.change(job_id, decide)

    # -- one restorer per step -------------------------------------------------------------------
    async def _rules(self, job: Job, mailbox: str, audit: "_Audit") -> list[str]:
        disabled = set(job.step(INBOX_RULES).data.get("targets") or [])
        current = {rule.identity: rule for rule in await self.context.ports.exchange.inbox_rules(mailbox)}
        done = []
        for rule in job.snapshot[INBOX_RULES]:
            now = current.get(rule.get("ruleIdentity"))
            if rule["name"] in disabled and rule["enabled"] and now is not None and not now.enabled:
                done.append(await audit.act("enable inbox rule", f"{mailbox}: {rule['name']!r}", lambda rule=rule:
                                            self.context.ports.exchange.enable_inbox_rule(mailbox,
                                                                                          rule["ruleIdentity"])))
        return done

    async def _forwarding(self, job: Job, mailbox: str, audit: "_Audit") -> list[str]:
        before = MailboxForwarding.from_json(job.snapshot[MAILBOX_FORWARDING])
        if not before.is_set or await self.context.ports.exchange.mailbox_forwarding(mailbox) == before:
            return []
        return [await audit.act("restore mailbox forwarding", mailbox, lambda: self.context.ports.exchange
                                .set_mailbox_forwarding(mailbox, before))]

    async def _delegates(self, job: Job, mailbox: str, audit: "_Audit") -> list[str]:
        held = {(item.right, item.trustee.lower()) for item in await self.context.ports.exchange.delegates(mailbox)}
        done = []
        for item in job.snapshot[MAILBOX_DELEGATES]:
            if item["where"] == OUTSIDE and (item["right"], item["trustee"].lower()) not in held:
                done.append(await audit.act(f"restore delegate: {describe(item)}", mailbox, lambda item=item:
                                            self.context.ports.exchange.add_delegate(mailbox,
                                                                                     Delegate.from_json(item))))
        return done

    async def _consents(self, job: Job, mailbox: str, audit: "_Audit") -> list[str]:
        removed = set(job.step(APP_CONSENTS).data.get("removed") or [])
        user = await self.context.ports.directory.get_user(job.user)
        held = {(grant.client_id, grant.resource_id) for grant in
                await self.context.ports.directory.permission_grants(user.id)}
        done = []
        for item in job.snapshot[APP_CONSENTS].get("grants") or []:
            grant = PermissionGrant(item["id"], item["clientId"], item["consentType"], item.get("principalId"),
                                    item["resourceId"], item.get("scope") or "")
            if grant.id in removed and (grant.client_id, grant.resource_id) not in held:
                done.append(await audit.act(f"restore app consent: {grant.client_id} ({grant.scope})", mailbox,
                                            lambda grant=grant: self.context.ports.directory
                                            .create_permission_grant(grant)))
        return done

    async def _protocols(self, job: Job, mailbox: str, audit: "_Audit") -> list[str]:
        before = CasSettings.from_json(job.snapshot[LEGACY_PROTOCOLS])
        if await self.context.ports.exchange.cas_settings(mailbox) == before:
            return []
        return [await audit.act("restore legacy protocols", mailbox, lambda: self.context.ports.exchange
                                .set_cas_settings(mailbox, before))]


class _Audit:
    """Runs one restore and audits it as the admin's action, with the admin's reason."""

    def __init__(self, context: Context, entries: list, by: str, reason: str) -> None:
        self.context, self.entries, self.by, self.reason = context, entries, by, reason

    async def act(self, action: str, target: str, call: Callable[[], Awaitable[None]]) -> str:
        try:
            await call()
        except PermanentError as exc:
            self.entries.append(entry(self.context.clock(), action, target, self.reason, f"failed: {exc}", self.by))
            return f"{action} on {target}: failed: {exc}"
        self.entries.append(entry(self.context.clock(), action, target, self.reason, "ok", self.by))
        return f"{action} on {target}"


RESTORERS = {INBOX_RULES: Rollback._rules, MAILBOX_FORWARDING: Rollback._forwarding,
             MAILBOX_DELEGATES: Rollback._delegates, APP_CONSENTS: Rollback._consents,
             LEGACY_PROTOCOLS: Rollback._protocols}
