"""What came back after a job secured an account: read by the follow-up and by the watch."""

from __future__ import annotations

from remediation.context import Context
from remediation.models import INBOX_RULES, Job
from remediation.rules import SYSTEM, classify, describe, snapshot_key
from remediation.steps.context import mailbox_of
from remediation.steps.inbox_rules import read_rules
from remediation.tenant import DirectoryUser


async def came_back(context: Context, job: Job, user: DirectoryUser | None = None) -> list[str]:
    """What came back: a rule this job disabled, enabled again; a new rule that forwards outside or
    hides mail, or any new hidden one; mailbox forwarding. A rule the job found and left alone
    (an owner's own rule, disabled or reported then) is the owner's business, not a recurrence.
    `user`: the job's user if already read."""
    user = user or await context.ports.directory.get_user(job.user)
    mailbox = mailbox_of(user)
    snapshot = job.snapshot.get(INBOX_RULES) or []
    known = {snapshot_key(item) for item in snapshot}
    targets = set(job.step(INBOX_RULES).data.get("targets") or [])
    disabled = {snapshot_key(item) for item in snapshot if item.get("enabled") and item.get("name") in targets}
    findings = []
    rules, domains = await read_rules(context.ports.directory, context.ports.exchange, user.id, mailbox)
    for rule in rules:
        verdict = classify(rule, domains)
        what = f": it {verdict.detail}" if verdict.suspicious else ""
        if rule.key in disabled and rule.enabled:
            findings.append(f"inbox rule {describe(rule)} is enabled again{what}")
        elif rule.key not in known and rule.enabled and verdict.suspicious:
            findings.append(f"inbox rule {describe(rule)} is new{what}")
        elif rule.key not in known and rule.hidden and verdict.kind != SYSTEM:
            findings.append(f"a new hidden inbox rule {describe(rule)} appeared")
    forwarding = await context.ports.exchange.mailbox_forwarding(mailbox)
    if forwarding.is_set:
        fields = ", ".join(f"{name} {value}" for name, value in forwarding.to_json().items() if value)
        findings.append(f"mailbox forwarding is set again: {fields}")
    return findings
