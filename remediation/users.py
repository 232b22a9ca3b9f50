"""What may name a user to remediate: an SMTP address or an Entra object id (a GUID).

Every name that comes from outside (an alert, an admin) passes `checked_user` before a job
exists: it ends up in Graph paths, OData filters, Exchange cmdlet parameters and mail subjects.
Addresses follow RFC 5321's dot-atom, widened as Exchange widens it (RFC 6531 non-ASCII local
parts, IDN domains); quoted local parts, address literals, spaces and control characters are
refused.
"""

from __future__ import annotations

import json
import re
import unicodedata

from remediation.errors import RequestError

_OBJECT_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_ATEXT = frozenset("!#$%&'*+-/=?^_`{|}~")
MAX_ADDRESS_LENGTH = 254    # RFC 5321's 256-octet path less its angle brackets
MAX_LOCAL_PART_LENGTH = 64
MAX_LABEL_LENGTH = 63


def is_object_id(user: str) -> bool:
    return bool(_OBJECT_ID.fullmatch(user))   # fullmatch: `$` would let a trailing newline through


def _international(char: str) -> bool:
    """A non-ASCII letter, mark or digit (no spaces, controls or invisible format characters)."""
    return ord(char) > 127 and unicodedata.category(char)[0] in "LMN"


def _local_part_ok(local: str) -> bool:
    atoms = local.split(".")
    return 0 < len(local) <= MAX_LOCAL_PART_LENGTH and all(
        atom and all(c.isascii() and (c.isalnum() or c in _ATEXT) or _international(c) for c in atom)
        for atom in atoms)


def _domain_ok(domain: str) -> bool:
    labels = domain.split(".")
    return len(labels) >= 2 and not labels[-1].isdigit() and all(
        0 < len(label) <= MAX_LABEL_LENGTH and label[0] != "-" and label[-1] != "-"
        and all(c.isascii() and (c.isalnum() or c == "-") or _international(c) for c in label)
        for label in labels)


def is_address(user: str) -> bool:
    local, at, domain = user.rpartition("@")
    return bool(at) and len(user) <= MAX_ADDRESS_LENGTH and _local_part_ok(local) and _domain_ok(domain)


def is_user(name: str) -> bool:
    return is_object_id(name.strip()) or is_address(name.strip().lower())


def quoted(value: object, limit: int = 80) -> str:
    """A refused value as JSON text, shortened: CR, LF and markup stay visible and inert in logs."""
    text = value if isinstance(value, str) else repr(value)
    return json.dumps(text[:limit] + ("…" if len(text) > limit else ""), ensure_ascii=True)


def checked_user(user: object) -> str:
    """The key a job is stored under: an object id as given, an address in lower case."""
    name = user.strip() if isinstance(user, str) else ""
    if is_object_id(name):
        return name
    if is_address(name.lower()):   # the key itself is checked: lower case may be longer ("İ" is two)
        return name.lower()
    raise RequestError(f"user must be an email address or an Entra object id, not {quoted(user)}")
