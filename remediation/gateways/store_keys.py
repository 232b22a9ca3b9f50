"""Keys of the jobs table (docs/ARCHITECTURE.md, "Table layout") and the paging token.

Table keys may not hold `/ \\ # ?` or control characters. We percent-escape those, `%`
itself (so the escape is unambiguous) and `|` (our separator in `user|time` keys, so one
user's range can never take in another's rows).
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime, timezone

from remediation.errors import RequestError
from remediation.models import normalize_user
from remediation.ports import ACTIVE, BLOCK, CLAIM_KINDS

# Partitions of the one table.
JOB, UNBLOCK, BREAKER, MARKER = "job", "unblock", "breaker", "marker"
# Claims keyed by a user (`active`: user, `block`: user|CreatedDatetime) are case-insensitive,
# because Exchange may spell an address in other casing than Graph.
USER_KEYED_CLAIMS = (ACTIVE, BLOCK)
_ESCAPED = frozenset("/\\#?%|")


def _needs_escape(char: str) -> bool:
    code = ord(char)
    return char in _ESCAPED or code < 0x20 or 0x7F <= code <= 0x9F


def escape_key(value: str) -> str:
    return "".join(f"%{ord(char):02X}" if _needs_escape(char) else char for char in value)


def user_key(user: str) -> str:
    return escape_key(normalize_user(user))


def claim_key(kind: str, key: str) -> str:
    if kind not in CLAIM_KINDS:
        # Claims live in a partition named by their kind: any other name could land on jobs or counters.
        raise ValueError(f"claim kind must be one of {', '.join(CLAIM_KINDS)}, not {kind!r}")
    return escape_key(key.strip().lower() if kind in USER_KEYED_CLAIMS else key)


def _instant(at: datetime) -> str:
    """Fixed-width UTC time, so row keys sort in time order."""
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def unblock_key(user: str, at: datetime) -> str:
    return f"{user_key(user)}|{_instant(at)}"


def unblock_range(user: str, since: datetime) -> tuple[str, str]:
    """[low, high) of the user's unblock rows at or after `since`; `}` is the character after `|`."""
    return f"{user_key(user)}|{_instant(since)}", f"{user_key(user)}}}"


def hour_key(at: datetime) -> str:
    return at.astimezone(timezone.utc).strftime("%Y%m%d%H")


def encode_continuation(token: dict | None) -> str | None:
    """The table's next-row token as an opaque URL-safe string (the admin API's nextLink carries it)."""
    if not token:
        return None
    text = json.dumps([token.get("PartitionKey"), token.get("RowKey")], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_continuation(text: str | None) -> dict | None:
    if not text:
        return None
    try:
        partition, row = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError, TypeError) as exc:
        raise RequestError("the continuation token is not one this API issued") from exc
    if not all(isinstance(part, str | None) for part in (partition, row)):
        raise RequestError("the continuation token is not one this API issued")
    return {"PartitionKey": partition, "RowKey": row}
