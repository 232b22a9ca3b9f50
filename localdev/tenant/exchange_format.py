"""How Exchange's admin API writes values: type annotations and timestamps.

From the Get-Mailbox capture (tests/events/exchange/invokecommand-capture-get-mailbox.elided.txt):
a typed property is preceded by its annotations (`X@data.type`, `X@odata.type`), GUIDs and
Int16 carry both, DateTime and Int32 only `@data.type`, string collections only
`@odata.type`, and strings and booleans none. Timestamps look like
`2022-09-21T08:07:47.0000000+00:00`.
"""

from __future__ import annotations

from datetime import datetime, timezone

ANNOTATIONS = {
    "DateTime": {"@data.type": "System.DateTime"},
    "Guid": {"@data.type": "System.Guid", "@odata.type": "#Guid"},
    "Int16": {"@data.type": "System.Int16", "@odata.type": "#Int16"},
    "Int32": {"@data.type": "System.Int32"},
    "Strings": {"@odata.type": "#Collection(String)"},
}


def record(*fields: tuple) -> dict:
    """An Exchange object from `(name, value)` or `(name, value, kind)` tuples, kind a key of ANNOTATIONS."""
    result: dict = {}
    for name, value, *kind in fields:
        if kind and kind[0] and value is not None:
            for suffix, annotation in ANNOTATIONS[kind[0]].items():
                result[name + suffix] = annotation
        result[name] = value
    return result


def exchange_datetime(value: datetime | str | None) -> str | None:
    """Exchange's DateTime text (seven fractional digits, explicit offset) from a datetime or ISO text."""
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0+00:00"
