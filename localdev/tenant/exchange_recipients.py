"""Recipients as Exchange resolves a trustee (Get-Recipient), and Set-Mailbox's GrantSendOnBehalfTo edits."""

from __future__ import annotations

from localdev.tenant import exchange_errors as errors
from localdev.tenant.exchange_format import record
from localdev.tenant.exchange_mailbox import alias
from localdev.tenant.state import TenantState

GUEST = "#EXT#"


def find_recipient(state: TenantState, identity: str) -> dict | None:
    """Get-Recipient's object for a user (mailbox or guest) or a mail contact, by any identity it has."""
    key = str(identity).strip().lower()
    user = state.user(key, by_mail=True) or next(
        (user for user in state.users if key in (alias(user).lower(), str(user.get("displayName", "")).lower())), None)
    if user is not None:
        guest = GUEST.lower() in user["userPrincipalName"].lower()
        return record(("DisplayName", user.get("displayName")), ("Identity", alias(user)), ("Name", alias(user)),
                      ("ExternalEmailAddress", f"SMTP:{user.get('mail')}" if guest else None),
                      ("PrimarySmtpAddress", user.get("mail") or user["userPrincipalName"]),
                      ("RecipientType", "MailUser" if guest else "UserMailbox"),
                      ("RecipientTypeDetails", "GuestMailUser" if guest else "UserMailbox"))
    for contact in (state.exchange.get("recipients") or []):
        names = {str(contact.get(name, "")).lower() for name in ("Identity", "Name", "DisplayName")}
        if key in names or key == str(contact.get("ExternalEmailAddress", "")).lower().removeprefix("smtp:"):
            return record(("DisplayName", contact.get("DisplayName") or contact["Identity"]),
                          ("Identity", contact["Identity"]), ("Name", contact["Identity"]),
                          ("ExternalEmailAddress", contact.get("ExternalEmailAddress")),
                          ("PrimarySmtpAddress", str(contact.get("ExternalEmailAddress", "")).partition(":")[2]),
                          ("RecipientType", "MailContact"), ("RecipientTypeDetails", "MailContact"))
    return None


def trustee(state: TenantState, identity: str) -> str:
    """The trustee as stored: the recipient's identity; ManagementObjectNotFoundException if none."""
    found = find_recipient(state, identity)
    if found is None:
        raise errors.not_found(str(identity))
    return found["Identity"]


def same(state: TenantState, stored: str, given: str) -> bool:
    found = find_recipient(state, stored)
    return stored.lower() == given.lower() or (found is not None and found["Identity"] == given)


def rights(value) -> list[str]:
    return [str(item) for item in (value if isinstance(value, list) else [value])]


def send_on_behalf(state: TenantState, owner: dict, change) -> None:
    """Set-Mailbox -GrantSendOnBehalfTo: a list replaces; `@{add=...; remove=...}` edits."""
    current = owner.setdefault("grantSendOnBehalfTo", [])
    if not isinstance(change, dict):
        current[:] = [trustee(state, item) for item in rights(change or [])]
        return
    for item in rights(change.get("add") or []):
        if not any(same(state, held, item) for held in current):
            current.append(trustee(state, item))
    removed = [trustee(state, item) for item in rights(change.get("remove") or [])]
    current[:] = [held for held in current if not any(same(state, held, item) for item in removed)]
