"""legacy_protocols: turn off SMTP AUTH, POP and IMAP on the mailbox (Set-CASMailbox).

A hijacked account's spam usually leaves through authenticated SMTP, and POP/IMAP clients
holding the password (or an app password) keep reading mail after a session revoke.
ActiveSync, OWA, MAPI and EWS are left alone: the user's own clients keep working.
"""

from __future__ import annotations

from remediation.errors import PermanentError
from remediation.models import DONE, STEP_FAILED, STEP_PLANNED
from remediation.steps.context import Outcome, StepRun
from remediation.tenant import CLOSED_CAS, CasSettings

NAMES = {"SmtpClientAuthenticationDisabled": "SMTP AUTH", "PopEnabled": "POP", "ImapEnabled": "IMAP"}


def describe(settings: CasSettings) -> str:
    """What was open, in words: SMTP AUTH is open unless the mailbox disables it (None follows the
    organization's setting, which Exchange Online ships on for older tenants)."""
    smtp = settings.smtp_client_authentication_disabled
    parts = [] if smtp is True else ["SMTP AUTH (" + ("organization default" if smtp is None else "on") + ")"]
    parts += [name for name, on in (("POP", settings.pop_enabled), ("IMAP", settings.imap_enabled)) if on]
    return ", ".join(parts)


async def legacy_protocols(run: StepRun) -> Outcome:
    mailbox = await run.mailbox()
    try:
        current = await run.ports.exchange.cas_settings(mailbox)
    except PermanentError as exc:
        return Outcome(STEP_FAILED, f"Get-CASMailbox could not read the legacy protocols: {exc}")
    before = run.snapshot if isinstance(run.snapshot, dict) else current.to_json()
    was_open = describe(CasSettings.from_json(before))
    if not was_open:
        return Outcome(DONE, "SMTP AUTH, POP and IMAP were already off.", {"closed": False}, before)
    if run.dry_run:
        return Outcome(STEP_PLANNED, f"Would turn off {was_open} on {mailbox} with Set-CASMailbox "
                                     "(ActiveSync, OWA, MAPI and EWS stay on).", {"closed": False}, before)
    if not current.closed:
        await run.checkpoint(before)
        try:
            await run.act("turn off legacy protocols", mailbox, f"open: {was_open}",
                          lambda: run.ports.exchange.set_cas_settings(mailbox, CLOSED_CAS))
        except PermanentError as exc:
            return Outcome(STEP_FAILED, f"Set-CASMailbox could not turn off {was_open}: {exc}")
    return Outcome(DONE, f"Turned off {was_open} on {mailbox}; ActiveSync, OWA, MAPI and EWS are untouched.",
                   {"closed": True}, before)
