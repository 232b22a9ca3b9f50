"""Steps 5 and 6: clear mailbox-level forwarding (not visible in Graph), and review the
authentication methods (an attacker often registers their own; listed and flagged, never deleted)."""

from __future__ import annotations

from datetime import datetime, timedelta

from remediation.errors import PermanentError
from remediation.models import DONE, STEP_FAILED, STEP_PLANNED, parse_iso
from remediation.notify import UNDATED
from remediation.steps.context import Outcome, StepRun
from remediation.tenant import AuthMethod, MailboxForwarding


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


# The password method's date is the last password change (ours, a moment ago), not a registration.
PASSWORD_METHOD = "password"


def _method_name(method: AuthMethod) -> str:
    label = method.label
    return f"{method.type or 'method'}{f' {label!r}' if label else ''}"


def _registered(method: AuthMethod) -> datetime | None:
    try:
        return parse_iso(method.created)
    except ValueError:
        return None


def _record(method: AuthMethod) -> dict:
    """A method as the step's data lists it."""
    return {"type": _method_name(method), "id": method.id or None, "created": method.created}


def _names(items: list[dict], note: str) -> str:
    return "; ".join(f"{item['type']} ({note.format(**item)})" for item in items)


async def auth_methods_review(run: StepRun) -> Outcome:
    user = await run.user()
    try:
        methods = await run.ports.directory.auth_methods(user.id)
    except PermanentError as exc:
        return Outcome(STEP_FAILED, f"Could not list the authentication methods: {exc}")
    days = run.settings.auth_methods_recent_days
    cutoff = run.clock() - timedelta(days=days)
    listed = [_record(method) for method in methods]
    reviewed = [method for method in methods if method.type != PASSWORD_METHOD]
    # Phone, email and software OATH methods carry no registration date: one of them may be the
    # attacker's as well, so they are listed for a human, never taken as old.
    undated = [_record(method) for method in reviewed if _registered(method) is None]
    recent = [_record(method) for method in reviewed
              if (moment := _registered(method)) is not None and moment >= cutoff]
    detail = f"{len(listed)} authentication method(s) registered."
    if recent:
        detail += (f" Registered in the last {days} day(s), for a human to check: "
                   f"{_names(recent, 'registered {created}')}.")
    else:
        detail += f" None registered in the last {days} day(s)."
    if undated:
        detail += f" {_names(undated, UNDATED)}."
    if recent or undated:
        detail += " Nothing was deleted."
    status = STEP_PLANNED if run.dry_run else DONE
    return Outcome(status, detail, {"methods": listed, "recent": recent, "undated": undated})
