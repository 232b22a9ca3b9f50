"""The playbook's steps, one async function each: `(StepRun) -> Outcome`, in playbook order."""

from __future__ import annotations

from typing import Awaitable, Callable

from remediation.models import (
    APP_CONSENTS, AUTH_METHODS, CONFIRM_BLOCK, IDENTITY_RISK, INBOX_RULES, LEGACY_PROTOCOLS, MAILBOX_DELEGATES,
    MAILBOX_FORWARDING, NOTIFY, RESET_PASSWORD, REVOKE_SESSIONS, UNBLOCK_SENDER,
)
from remediation.steps.confirm_block import confirm_block
from remediation.steps.context import Outcome, StepRun
from remediation.steps.credentials import reset_password, revoke_sessions
from remediation.steps.inbox_rules import inbox_rules
from remediation.steps.app_consents import app_consents
from remediation.steps.auth_methods import auth_methods
from remediation.steps.identity_risk import identity_risk
from remediation.steps.legacy_protocols import legacy_protocols
from remediation.steps.mailbox import mailbox_forwarding
from remediation.steps.mailbox_delegates import mailbox_delegates
from remediation.steps.notify import notify_team
from remediation.steps.unblock import unblock_sender

Step = Callable[[StepRun], Awaitable[Outcome]]

STEPS: dict[str, Step] = {
    CONFIRM_BLOCK: confirm_block,
    RESET_PASSWORD: reset_password,
    REVOKE_SESSIONS: revoke_sessions,
    INBOX_RULES: inbox_rules,
    MAILBOX_FORWARDING: mailbox_forwarding,
    MAILBOX_DELEGATES: mailbox_delegates,
    APP_CONSENTS: app_consents,
    AUTH_METHODS: auth_methods,
    LEGACY_PROTOCOLS: legacy_protocols,
    IDENTITY_RISK: identity_risk,
    UNBLOCK_SENDER: unblock_sender,
    NOTIFY: notify_team,
}
