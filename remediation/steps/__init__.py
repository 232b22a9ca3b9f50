"""The playbook's steps, one async function each: `(StepRun) -> Outcome`, in playbook order."""

from __future__ import annotations

from typing import Awaitable, Callable

from remediation.steps.confirm_block import confirm_block
from remediation.steps.context import Outcome, StepRun
from remediation.steps.credentials import reset_password, revoke_sessions
from remediation.steps.inbox_rules import inbox_rules
from remediation.steps.mailbox import auth_methods_review, mailbox_forwarding
from remediation.steps.notify import notify_team
from remediation.steps.unblock import unblock_sender

Step = Callable[[StepRun], Awaitable[Outcome]]

STEPS: dict[str, Step] = {
    "confirm_block": confirm_block,
    "reset_password": reset_password,
    "revoke_sessions": revoke_sessions,
    "inbox_rules": inbox_rules,
    "mailbox_forwarding": mailbox_forwarding,
    "auth_methods_review": auth_methods_review,
    "unblock_sender": unblock_sender,
    "notify": notify_team,
}
