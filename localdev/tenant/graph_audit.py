"""Graph's sign-in logs (`GET /auditLogs/signIns`): `$filter` on userId and createdDateTime, newest
first, paged. A tenant without Entra ID P1 (`graph: {premium: false}` in the scenario) gets
Microsoft's 403 `Authentication_RequestFromNonPremiumTenantOrB2CTenant`; a withheld
AuditLog.Read.All gets the router's 403 `Authorization_RequestDenied`.

A scenario gives each user's sign-ins under `signIns` (createdDateTime, ipAddress, location,
clientAppUsed); the rest of Graph's signIn object is filled in here.
"""

from __future__ import annotations

import uuid

from localdev.tenant import odata
from localdev.tenant.graph_router import GraphCall, GraphReply, Route
from localdev.tenant.graph_security import parse_filter

MAX_TOP = 1000


def non_premium() -> odata.GraphError:
    return odata.GraphError(403, "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
                            "Neither tenant is B2C or tenant doesn't have premium license")


def sign_in(user: dict, record: dict) -> dict:
    location = {"city": None, "state": None, "countryOrRegion": None, **(record.get("location") or {})}
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{user['id']}/{record['createdDateTime']}/{record['ipAddress']}")),
        "createdDateTime": record["createdDateTime"], "userDisplayName": user.get("displayName"),
        "userPrincipalName": user["userPrincipalName"], "userId": user["id"],
        "appDisplayName": record.get("appDisplayName", "Office 365 Exchange Online"),
        "ipAddress": record.get("ipAddress"), "clientAppUsed": record.get("clientAppUsed", "Browser"),
        "isInteractive": record.get("isInteractive", True), "location": location,
        "status": {"errorCode": 0, "failureReason": None, "additionalDetails": None},
    }


def list_sign_ins(call: GraphCall) -> GraphReply:
    if not call.state.graph.get("premium", True):
        raise non_premium()
    keep = parse_filter(call.query.get("$filter"), {"createdDateTime"}, {"userId", "userPrincipalName", "ipAddress"})
    records = [sign_in(user, record) for user in call.state.users for record in user.get("signIns") or []]
    records = sorted((record for record in records if keep(record)), key=lambda record: record["createdDateTime"],
                     reverse=True)
    body = odata.page(records, call.query, f"{call.base}/v1.0/auditLogs/signIns", call.state.graph["pageSize"],
                      MAX_TOP)
    return GraphReply(200, {"@odata.context": odata.context(call.base, "auditLogs/signIns"), **body})


ROUTES = [Route("GET", "/auditLogs/signIns", list_sign_ins, "AuditLog.Read.All")]
