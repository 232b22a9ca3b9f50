"""Remove the authentication methods an attacker may have registered: with self-service
password reset, their authenticator would reset the password again and let them back in.

Every method registered within AUTH_METHODS_RECENT_DAYS before the block, or after it, is
deleted through its type's own endpoint; the password never. Phone and email methods carry
no date: they are kept and listed for a human. Graph refuses to delete the default method
while others exist, and v1.0 has no way to change the default (signInPreferences is beta):
that method is listed for a human and the step is `manual`, which holds the unblock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from remediation.errors import NotFoundError, PermanentError, ServiceRejectedError
from remediation.models import DONE, MANUAL, STEP_FAILED, STEP_PLANNED, parse_iso
from remediation.notify import UNDATED
from remediation.steps.context import Outcome, StepRun
from remediation.tenant import AuthMethod

# The password method's date is the last password change (ours, a moment ago), not a registration.
PASSWORD_METHOD = "password"
WEAK = (PASSWORD_METHOD, "email")       # email only serves self-service password reset, never MFA
DEFAULT_REFUSED = "default method"      # in Graph's 400 for the default method while others exist
REGISTER_AGAIN = "registerAgain"        # step.data: nothing strong is left, the user registers MFA again


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


def _window_start(run: StepRun) -> datetime:
    """AUTH_METHODS_RECENT_DAYS before the block (before now when the block has no readable time)."""
    try:
        blocked = parse_iso((run.job.block or {}).get("createdDatetime"))
    except ValueError:
        blocked = None
    return (blocked or run.clock()) - timedelta(days=run.settings.auth_methods_recent_days)


def recent_methods(methods: list[AuthMethod], since: datetime) -> tuple[list[AuthMethod], list[AuthMethod]]:
    """(registered since `since`, undated): the password is neither."""
    reviewed = [method for method in methods if method.type != PASSWORD_METHOD]
    recent = [method for method in reviewed if (moment := _registered(method)) is not None and moment >= since]
    undated = [method for method in reviewed if _registered(method) is None]
    return recent, undated


async def _delete(run: StepRun, user_id: str, upn: str, method: AuthMethod) -> str | None:
    """None once the method is gone; the reason a human must remove it otherwise."""
    try:
        await run.act("remove authentication method", f"{upn}: {_method_name(method)}",
                      f"registered {method.created}, within AUTH_METHODS_RECENT_DAYS of the block",
                      lambda: run.ports.directory.delete_auth_method(user_id, method))
    except NotFoundError:
        return None   # gone already: an earlier attempt or an admin removed it
    except ServiceRejectedError as exc:
        if DEFAULT_REFUSED not in str(exc).lower():
            raise
        return (f"{_method_name(method)} is the default sign-in method, which Graph v1.0 cannot change: make another "
                "method the default (Entra admin center > user > Authentication methods), then delete it")
    return None


def _detail(removed: list[dict], held: list[str], undated: list[dict], days: int) -> str:
    text = (f"Removed {len(removed)} method(s) registered within {days} day(s) of the block: "
            f"{'; '.join(item['type'] for item in removed)}." if removed
            else f"No method registered within {days} day(s) of the block.")
    if held:
        text += f" For a human (the unblock waits): {'; '.join(held)}."
    return text + _undated_text(undated)


def _undated_text(undated: list[dict]) -> str:
    return f" Kept, {UNDATED}: {'; '.join(item['type'] for item in undated)}." if undated else ""


async def auth_methods(run: StepRun) -> Outcome:
    user = await run.user()
    try:
        methods = await run.ports.directory.auth_methods(user.id)
    except PermanentError as exc:
        return Outcome(STEP_FAILED, f"Could not list the authentication methods: {exc}")
    days = run.settings.auth_methods_recent_days
    recent, undated = recent_methods(methods, _window_start(run))
    before = run.snapshot if isinstance(run.snapshot, dict) else {"methods": [_record(item) for item in methods]}
    data = {"methods": before["methods"], "recent": [_record(item) for item in recent],
            "undated": [_record(item) for item in undated]}
    if run.dry_run:
        planned = "; ".join(item["type"] for item in data["recent"]) or "none"
        return Outcome(STEP_PLANNED, f"Would remove the methods registered within {days} day(s) of the block: "
                                     f"{planned}." + _undated_text(data["undated"]), data, before)
    await run.checkpoint(before)
    held: dict[str, str] = {}
    for method in recent:
        reason = await _delete(run, user.id, user.user_principal_name, method)
        if reason:
            held[method.id] = reason
    listed = {item.id for item in methods}
    # A redelivered step finds what an earlier attempt removed gone: the snapshot still names it.
    earlier = [item for item in before["methods"] if item["id"] not in listed]
    removed = earlier + [_record(item) for item in recent if item.id not in held]
    gone = {item["id"] for item in removed}
    strong_left = [item for item in methods if item.type not in WEAK and item.id not in gone]
    data.update(removed=removed, held=list(held.values()), **{REGISTER_AGAIN: not strong_left})
    detail = _detail(removed, list(held.values()), data["undated"], days)
    if not strong_left:
        detail += f" No strong method is left: {user.user_principal_name} must register MFA again."
    return Outcome(MANUAL if held else DONE, detail, data, before)
