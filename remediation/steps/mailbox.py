"""Steps 5 and 6: clear mailbox-level forwarding (not visible in Graph), and review the
authentication methods (an attacker often registers their own; listed and flagged, never deleted)."""

from __future__ import annotations

from datetime import datetime, timedelta

from remediation.errors import PermanentError
from remediation.models import DONE, STEP_FAILED, STEP_PLANNED, MailboxForwarding, parse_iso
from remediation.notify import UNDATED
from remediation.steps.context import Outcome, StepRun


def _forwarding_text(fields: dict) -> str:
    set_fields = [f"{name} was {value}" for name, value in fields.items() if value]
    return ", ".join(set_fields)


async def mailbox_forwarding(run: StepRun) -> Outcome:
    mailbox = await run.mailbox()
    current = await run.ports.exchange.mailbox_forwarding(mailbox)
    before = run.snapshot if isinstance(run.snapshot, dict) else current.to_json()
    was_set = MailboxForwarding(before.get("ForwardingSmtpAddress"), before.get("ForwardingAddress"),
                                bool(before.get("DeliverToMailboxAndForward"))).is_set
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


def _method_created(method: dict) -> str:
    # Graph names it createdDateTime on most methods and creationDateTime on FIDO2 keys.
    return method.get("createdDateTime") or method.get("creationDateTime") or ""


def _method_name(method: dict) -> str:
    kind = (method.get("@odata.type") or "").rpartition(".")[2].removesuffix("AuthenticationMethod")
    label = method.get("displayName") or method.get("phoneNumber") or method.get("emailAddress") or ""
    return f"{kind or 'method'}{f' {label!r}' if label else ''}"


def _registered(item: dict) -> datetime | None:
    try:
        return parse_iso(item["created"])
    except ValueError:
        return None


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
    listed = [{"type": _method_name(method), "id": method.get("id"), "created": _method_created(method) or None}
              for method in methods]
    reviewed = [item for item in listed if item["type"] != PASSWORD_METHOD]
    # Phone, email and software OATH methods carry no registration date: one of them may be the
    # attacker's as well, so they are listed for a human, never taken as old.
    undated = [item for item in reviewed if _registered(item) is None]
    recent = [item for item in reviewed if (moment := _registered(item)) is not None and moment >= cutoff]
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
