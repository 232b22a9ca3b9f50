"""Graph's security alerts (alerts_v2): `$filter` on the documented filterable properties, `$top`, paging.

The filter grammar is the subset clients use here: `<property> <eq|ne|ge|gt|le|lt> <literal>`
clauses joined by `and`; datetime properties compare with unquoted DateTimeOffset literals
(a quoted one is Graph's type error), the others with quoted strings.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Callable

from localdev.tenant import odata
from localdev.tenant.graph_router import GraphCall, GraphReply, Route

DATETIME_FILTERS = {"createdDateTime", "lastUpdateDateTime"}
STRING_FILTERS = {"serviceSource", "status", "severity", "classification", "determination", "assignedTo"}
SERVICE_SOURCES = {"unknown", "microsoftDefenderForEndpoint", "microsoftDefenderForIdentity",
                   "microsoftDefenderForCloudApps", "microsoftDefenderForOffice365", "microsoft365Defender",
                   "azureAdIdentityProtection", "microsoftAppGovernance", "dataLossPrevention", "unknownFutureValue",
                   "microsoftDefenderForCloud", "microsoftSentinel", "microsoftInsiderRiskManagement"}
MAX_TOP = 2000
_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "ge": lambda a, b: a >= b, "gt": lambda a, b: a > b,
    "le": lambda a, b: a <= b, "lt": lambda a, b: a < b}
_OPERATOR_KINDS = {"eq": "Equal", "ne": "NotEqual", "ge": "GreaterThanOrEqual", "gt": "GreaterThan",
                   "le": "LessThanOrEqual", "lt": "LessThan"}
_CLAUSE = re.compile(r"\s*(\w+)\s+(eq|ne|ge|gt|le|lt)\s+('(?:[^']|'')*'|[^\s']+)\s*$", re.IGNORECASE)


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _clause(text: str, datetimes: set[str], strings: set[str]) -> Callable[[dict], bool]:
    match = _CLAUSE.match(text)
    if not match:
        raise odata.bad_request(f"Invalid filter clause: syntax error in '{text.strip()}'.")
    name, operator, literal = match.group(1), match.group(2).lower(), match.group(3)
    compare = _OPERATORS[operator]
    quoted = literal.startswith("'")
    if name in datetimes:
        if quoted:
            raise odata.bad_request("A binary operator with incompatible types was detected. Found operand types "
                                    "'Edm.DateTimeOffset' and 'Edm.String' for operator kind "
                                    f"'{_OPERATOR_KINDS[operator]}'.")
        try:
            bound = _moment(literal)
        except ValueError:
            raise odata.bad_request(f"Invalid filter clause: '{literal}' is not a valid DateTimeOffset.") from None
        return lambda alert: alert.get(name) is not None and compare(_moment(alert[name]), bound)
    if name in strings:
        if not quoted:
            raise odata.bad_request(f"Invalid filter clause: '{literal}' is not a valid literal for property '{name}'.")
        value = literal[1:-1].replace("''", "'")
        if name == "serviceSource" and value not in SERVICE_SOURCES:
            raise odata.bad_request(f"The string '{value}' is not a valid enumeration type constant.")
        return lambda alert: alert.get(name) is not None and compare(alert[name], value)
    raise odata.bad_request(f"Invalid filter clause: filtering on property '{name}' is not supported.")


def parse_filter(text: str | None, datetimes: set[str] = DATETIME_FILTERS,
                 strings: set[str] = STRING_FILTERS) -> Callable[[dict], bool]:
    """`$filter` over the filterable properties named (alerts_v2's by default)."""
    if not text:
        return lambda alert: True
    parts = re.split(r"\s+and\s+", text.strip(), flags=re.IGNORECASE)
    clauses = [_clause(part, datetimes, strings) for part in parts]
    return lambda alert: all(clause(alert) for clause in clauses)


def list_alerts(call: GraphCall) -> GraphReply:
    keep = parse_filter(call.query.get("$filter"))
    alerts = [alert for alert in call.state.alerts if keep(alert)]
    body = odata.page(alerts, call.query, f"{call.base}/v1.0/security/alerts_v2", call.state.graph["pageSize"], MAX_TOP)
    return GraphReply(200, {"@odata.context": odata.context(call.base, "security/alerts_v2"), **body})


def get_alert(call: GraphCall, alert: str) -> GraphReply:
    found = next((item for item in call.state.alerts if item.get("id") == alert), None)
    if found is None:
        raise odata.GraphError(404, "NotFound", f"Alert '{alert}' was not found.")
    return GraphReply(200, {"@odata.context": odata.context(call.base, "security/alerts_v2/$entity"), **found})


ROUTES = [
    Route("GET", "/security/alerts_v2", list_alerts, "SecurityAlert.Read.All"),
    Route("GET", "/security/alerts_v2/{alert}", get_alert, "SecurityAlert.Read.All"),
]
