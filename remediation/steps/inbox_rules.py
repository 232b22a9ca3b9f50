"""Step 4: disable (never delete) the inbox rules that forward mail outside the tenant or
hide it; report internal forwarding; leave system rules alone.

The snapshot is the first reading, saved before any change. A rule is a target when it
was enabled in the snapshot; one found disabled now was disabled by an earlier attempt of
this job (or by someone else) and is not disabled twice.
"""

from __future__ import annotations

from typing import NamedTuple

from remediation.errors import PermanentError
from remediation.models import DONE, STEP_FAILED, STEP_PLANNED
from remediation.ports import Directory, ExchangeAdmin
from remediation.rules import (
    INTERNAL_FORWARD, SYSTEM, Domains, Verdict, classify, describe, merge, record, snapshot_key,
)
from remediation.steps.context import Outcome, StepRun, mailbox_of
from remediation.tenant import DirectoryUser, InboxRule


class MailboxRules(NamedTuple):
    rules: list[InboxRule]
    domains: Domains


async def tenant_domains(directory: Directory) -> Domains:
    """Only verified domains are the tenant's: anyone can add an unverified one to a tenant."""
    return Domains([domain.id for domain in await directory.domains() if domain.is_verified])


async def read_rules(directory: Directory, exchange: ExchangeAdmin, user_id: str, mailbox: str) -> MailboxRules:
    """Every rule of the inbox: Graph's, and the hidden ones only Get-InboxRule -IncludeHidden shows."""
    graph_rules = await directory.inbox_rules(user_id)
    exchange_rules = await exchange.inbox_rules(mailbox, include_hidden=True)
    return MailboxRules(merge(graph_rules, exchange_rules), await tenant_domains(directory))


def _was_enabled(rule: InboxRule, snapshot: list[dict]) -> bool:
    before = next((item for item in snapshot if snapshot_key(item) == rule.key), None)
    return bool(before["enabled"]) if before else rule.enabled


def _listing(judged: list[tuple[InboxRule, Verdict]]) -> str:
    return "; ".join(f"{describe(rule)} {verdict.detail}" for rule, verdict in judged)


def _summary(rules: list[InboxRule], targets: list, reported: list, verb: str) -> str:
    hidden = sum(rule.hidden for rule in rules)
    parts = [f"Found {len(rules)} inbox rule(s), {hidden} of them hidden."]
    parts.append(f"{verb}: {_listing(targets)}." if targets else "No rule forwards outside the tenant or hides mail.")
    if reported:
        parts.append(f"Reported, not changed: {_listing(reported)}.")
    return " ".join(parts)


async def inbox_rules(run: StepRun) -> Outcome:
    user = await run.user()
    mailbox = mailbox_of(user)
    rules, domains = await read_rules(run.ports.directory, run.ports.exchange, user.id, mailbox)
    snapshot = run.snapshot if isinstance(run.snapshot, list) else [record(rule, domains) for rule in rules]
    judged = [(rule, classify(rule, domains)) for rule in rules]
    targets = [(rule, verdict) for rule, verdict in judged if verdict.suspicious and _was_enabled(rule, snapshot)]
    reported = [(rule, verdict) for rule, verdict in judged
                if verdict.kind == INTERNAL_FORWARD or (verdict.notes and not verdict.suspicious)]
    data = {"rules": len(rules), "hidden": sum(rule.hidden for rule in rules),
            "targets": [rule.name for rule, _ in targets],
            "internalForwarding": [rule.name for rule, verdict in judged if verdict.kind == INTERNAL_FORWARD],
            "toCheck": {rule.name: list(verdict.notes) for rule, verdict in judged if verdict.notes},
            "system": [rule.name for rule, verdict in judged if verdict.kind == SYSTEM]}
    if run.dry_run:
        return Outcome(STEP_PLANNED, _summary(rules, targets, reported, "Would disable"), data, snapshot)
    await run.checkpoint(snapshot)
    failures = []
    for rule, verdict in targets:
        if not rule.enabled:
            continue   # disabled already (by an earlier attempt of this job): never twice
        try:
            await run.act("disable inbox rule", f"{mailbox}: {describe(rule)}", verdict.reason,
                          lambda rule=rule: _disable(run, user, rule))
        except PermanentError as exc:
            failures.append(f"{describe(rule)}: {exc}")
    detail = _summary(rules, targets, reported, "Disabled")
    if failures:
        return Outcome(STEP_FAILED, f"{detail} Could not disable {'; '.join(failures)}.", data)
    return Outcome(DONE, detail, data)


async def _disable(run: StepRun, user: DirectoryUser, rule: InboxRule) -> None:
    if rule.hidden or not rule.id:
        await run.ports.exchange.disable_inbox_rule(mailbox_of(user), rule.identity or rule.name)
    else:
        await run.ports.directory.disable_inbox_rule(user.id, rule.id)
