"""The control call that makes the tenant raise Microsoft's default alert "User restricted from sending email":

    POST /_sandbox/alerts/restricted-sender   {"user": "<upn>", "reason"?: "...", "notify"?: true}
    -> 201 {"alertId", "contentId", "contentUri", "notified": <webhook's HTTP status> | null}

As Exchange Online Protection would, it puts the user on the blocked list, writes the
AlertTriggered and AlertEntityGenerated audit records (shapes of the records in
tests/events/o365/) into a new Audit.General content blob, adds the alerts_v2 alert Graph
lists, and notifies an enabled Audit.General webhook. Records and texts are modelled on
the fixtures; the policy's own Data values are plausible, no public record of this alert exists.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from aiohttp import web

from localdev.tenant import context, management_webhook
from localdev.tenant.exchange_control import add_block, control_body, problem
from localdev.tenant.management_feed import add_content, content_uri, listed, parse_time
from localdev.tenant.state import TenantState, iso

NAME = "User restricted from sending email"
DESCRIPTION = ("This alert is triggered when a user in your organization is restricted from sending outbound email. "
               "This typically results when an account is compromised, and the user is listed on the Restricted "
               "entities page.")
POLICY_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "defaultpolicy:" + NAME))
OPERATION = "UserRestrictedFromSendingEmail"


def add_routes(app: web.Application) -> None:
    app.router.add_post("/_sandbox/alerts/restricted-sender", restricted_sender)


def _record(state: TenantState, operation: str, alert_id: str, object_id: str, data: dict, now: datetime) -> dict:
    return {"AlertId": alert_id, "AlertLinks": [{"AlertLinkHref": _alert_url(state, alert_id)}], "AlertType": "System",
            "Category": "ThreatManagement", "Comments": "New alert", "CreationTime": now.strftime("%Y-%m-%dT%H:%M:%S"),
            "Data": json.dumps(data, separators=(",", ":")), "Id": str(uuid.uuid4()),
            "Name": NAME, "ObjectId": object_id, "Operation": operation, "OrganizationId": state.tenant_id,
            "PolicyId": POLICY_ID, "RecordType": 40, "ResultStatus": "Succeeded", "Severity": "High",
            "Source": "Office 365 Security & Compliance", "Status": "Active", "UserId": "SecurityComplianceAlerts",
            "UserKey": "SecurityComplianceAlerts", "UserType": 4, "Version": 1, "Workload": "SecurityComplianceCenter"}


def _alert_url(state: TenantState, alert_id: str) -> str:
    return f"https://security.microsoft.com/alerts/fa{alert_id}?tid={state.tenant_id}"


def audit_records(state: TenantState, upn: str, alert_id: str, now: datetime) -> list[dict]:
    """AlertTriggered (ObjectId: the alert, the user in Data) and AlertEntityGenerated (ObjectId: the user)."""
    stamp = iso(now)
    triggered = {"f3u": upn, "ts": stamp, "te": stamp, "op": OPERATION, "wl": "Exchange", "tid": state.tenant_id,
                 "tdc": "1", "cid": POLICY_ID, "ad": DESCRIPTION, "lon": OPERATION, "an": NAME, "sev": "High"}
    entity = {"etype": "User", "eid": upn, "tid": state.tenant_id, "ts": stamp, "te": stamp, "op": OPERATION,
              "tdc": "1", "suid": upn, "ut": "Regular", "lon": OPERATION}
    records = [_record(state, "AlertTriggered", alert_id, alert_id, triggered, now),
               _record(state, "AlertEntityGenerated", alert_id, upn, entity, now)]
    records[1]["AlertEntityId"], records[1]["EntityType"] = upn, "User"
    return records


def _user_account(user: dict) -> dict:
    upn = user["userPrincipalName"]
    return {"accountName": upn.partition("@")[0], "azureAdUserId": user["id"], "displayName": user.get("displayName"),
            "domainName": upn.partition("@")[2], "userPrincipalName": upn, "userSid": None}


def graph_alert(state: TenantState, user: dict, alert_id: str, now: datetime) -> dict:
    """The alerts_v2 alert Microsoft Defender for Office 365 raises for the same event."""
    stamp = iso(now)
    common = {"createdDateTime": stamp, "verdict": "suspicious", "remediationStatus": "none",
              "remediationStatusDetails": None, "roles": ["compromised"], "detailedRoles": [], "tags": []}
    incident = str(uuid.uuid4().int % 90000 + 10000)
    return {
        "@odata.type": "#microsoft.graph.security.alert", "id": f"fa{alert_id}", "providerAlertId": alert_id,
        "incidentId": incident, "status": "new", "severity": "high", "classification": "unknown",
        "determination": "unknown", "serviceSource": "microsoftDefenderForOffice365",
        "detectionSource": "microsoftDefenderForOffice365", "detectorId": POLICY_ID, "tenantId": state.tenant_id,
        "title": NAME, "description": DESCRIPTION,
        "recommendedActions": "Secure the account (reset the password, revoke sessions, remove forwarding and "
                              "suspicious inbox rules), then remove the user from the Restricted entities page.",
        "category": "ThreatManagement", "assignedTo": None, "alertWebUrl": _alert_url(state, alert_id),
        "incidentWebUrl": f"https://security.microsoft.com/incidents/{incident}?tid={state.tenant_id}",
        "actorDisplayName": None, "threatDisplayName": None, "threatFamilyName": None, "mitreTechniques": [],
        "createdDateTime": stamp, "lastUpdateDateTime": stamp, "resolvedDateTime": None,
        "firstActivityDateTime": stamp, "lastActivityDateTime": stamp, "comments": [], "systemTags": [],
        "evidence": [
            {"@odata.type": "#microsoft.graph.security.mailboxEvidence", **common,
             "displayName": user.get("displayName"), "primaryAddress": user.get("mail"),
             "upn": user["userPrincipalName"], "userAccount": _user_account(user)},
            {"@odata.type": "#microsoft.graph.security.userEvidence", **common, "userAccount": _user_account(user)},
        ],
    }


async def notify_subscriber(state: TenantState, blob: dict, base: str) -> int | None:
    """POST the notification to an enabled, unexpired Audit.General webhook; its HTTP status, if it answered."""
    entry = state.management["subscriptions"].get(blob["contentType"]) or {}
    webhook = entry.get("webhook") if entry.get("status") == "enabled" else None
    if not webhook or webhook.get("status") != "enabled":
        return None
    if webhook.get("expiration") and parse_time(webhook["expiration"]) <= state.now():
        webhook["status"] = "expired"
        return None
    notification = {"tenantId": state.tenant_id, "clientId": entry.get("clientId"),
                    **listed(blob, base, state.tenant_id)}
    status = await management_webhook.notify(webhook["address"], webhook.get("authId"), [notification])
    state.management["notifications"].append(
        {**listed(blob, base, state.tenant_id), "notificationSent": state.now_iso(),
         "notificationStatus": "success" if status == 200 else "failed"})
    return status


async def restricted_sender(request: web.Request) -> web.Response:
    state = context.state(request)
    body = await control_body(request)
    user = state.user(str(body.get("user", "")), by_mail=True)
    if user is None:
        raise problem(404, f"no user {body.get('user')}")
    now = state.now()
    alert_id = str(uuid.uuid4())
    add_block(state, user.get("mail") or user["userPrincipalName"], reason=body.get("reason"))
    blob = add_content(state, "Audit.General", audit_records(state, user["userPrincipalName"], alert_id, now))
    state.alerts.append(graph_alert(state, user, alert_id, now))
    base = context.base_url(request)
    notified = await notify_subscriber(state, blob, base) if body.get("notify", True) else None
    return web.json_response({"alertId": alert_id, "contentId": blob["contentId"],
                              "contentUri": content_uri(base, state.tenant_id, blob["contentId"]),
                              "notified": notified}, status=201)
