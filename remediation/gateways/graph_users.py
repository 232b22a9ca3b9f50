"""Graph's user objects as DirectoryUser, and finding a user by an address.

GET /users/{key} takes an object id or a UPN only. Exchange's blocked list names a sender
by its SMTP address, which in many tenants is not the UPN (`jdoe@corp.contoso.com` signs in,
`john.doe@contoso.com` sends), so an address Graph does not know as a key is looked up by
`mail`, `userPrincipalName` or `proxyAddresses` with `$filter`.
"""

from __future__ import annotations

from remediation.errors import PermanentError
from remediation.gateways.graph_errors import SERVICE
from remediation.tenant import DirectoryUser

USER_PROPERTIES = ["id", "userPrincipalName", "mail", "displayName", "accountEnabled", "onPremisesSyncEnabled",
                   "proxyAddresses", "lastPasswordChangeDateTime"]


def directory_user(found: dict) -> DirectoryUser:
    return DirectoryUser(id=found.get("id") or "", user_principal_name=found.get("userPrincipalName") or "",
                         mail=found.get("mail") or "", display_name=found.get("displayName") or "",
                         account_enabled=found.get("accountEnabled"),
                         on_premises_sync_enabled=found.get("onPremisesSyncEnabled"),
                         proxy_addresses=tuple(found.get("proxyAddresses") or ()),
                         last_password_change=found.get("lastPasswordChangeDateTime"))


def address_filter(address: str) -> str:
    """The `$filter` for every user `address` reaches (an OData string literal doubles its quotes)."""
    literal = address.strip().replace("'", "''")
    return (f"mail eq '{literal}' or userPrincipalName eq '{literal}' "
            f"or proxyAddresses/any(p:p eq 'smtp:{literal}')")


def only_user(address: str, matches: list[dict]) -> dict | None:
    """The one user `address` names; None for none; PermanentError naming them when it names several
    (acting on one of them could secure the wrong account)."""
    distinct = list({item.get("id"): item for item in matches}.values())
    if len(distinct) > 1:
        names = ", ".join(sorted(item.get("userPrincipalName") or item.get("id") or "?" for item in distinct))
        raise PermanentError(f"{address} is an address of {len(distinct)} users ({names}); name the user by UPN or "
                             "object id", service=SERVICE)
    return distinct[0] if distinct else None
