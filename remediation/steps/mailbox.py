"""Clear mailbox-level forwarding (not visible in Graph)."""

from __future__ import annotations

from remediation.errors import PermanentError
from remediation.models import DONE, STEP_FAILED, STEP_PLANNED
from remediation.steps.context import Outcome, StepRun
from remediation.tenant import MailboxForwarding


def _forwarding_text(fields: dict) -> str:
    set_fields = [f"{name} was {value}" for name, value in fields.items() if value]
    return ", ".join(set_fields)


async def mailbox_forwarding(run: StepRun) -> Outcome:
    mailbox = await run.mailbox()
    current = await run.ports.exchange.mailbox_forwarding(mailbox)
    before = run.snapshot if isinstance(run.snapshot, dict) else current.to_json()
    was_set = MailboxForwarding.from_json(before).is_set
    if not was_set:
        return Outcome(DONE, "No mailbox forwarding was set (ForwardingSmtpAddress, ForwardingAddress, "
                             "DeliverToMailboxAndForward).", {"cleared": False}, before)
    text = _forwarding_text(before)
    if run.dry_run:
        return Outcome(STEP_PLANNED, f"Would clear the mailbox forwarding of {mailbox} ({text}) with Set-Mailbox.",
                       {"cleared": False}, before)
    if current.is_set:
        await run.checkpoint(before)
        try:
            await run.act("clear mailbox forwarding", mailbox, f"mail was forwarded: {text}",
                          lambda: run.ports.exchange.clear_mailbox_forwarding(mailbox))
        except PermanentError as exc:
            return Outcome(STEP_FAILED, f"Set-Mailbox could not clear the forwarding ({text}): {exc}")
    return Outcome(DONE, f"Cleared the mailbox forwarding of {mailbox}: {text}; all three fields are empty now.",
                   {"cleared": True}, before)
