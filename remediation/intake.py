"""Alert payloads -> the users to remediate. Pure functions, one per alert source.

An alert only names whom to look up: the job's first step confirms the block at Exchange,
so nothing here is trusted beyond "this user may be blocked". Each function returns
`AlertedUser`s, one per (alert, user), in payload order and without repeats. What an HTTP caller
names passes `checked_users` (a 400 when it fails); the sources no one answers (audit records,
alerts_v2) drop a name that is not an address or an object id (the sweep still finds a real block).
"""

from __future__ import annotations

import json
from typing import Iterable, NamedTuple

from remediation.errors import ForbiddenError, RequestError
from remediation.gateways.management_api import check_content_uri
from remediation.tenant import SecurityAlert
from remediation.users import checked_user, is_object_id, is_user, quoted  # noqa: F401 - steps import is_object_id here

SHOWN_REFUSALS = 5   # how many refused names a 400 quotes


class AlertedUser(NamedTuple):
    user: str        # a UPN / address, or an Entra object id the worker resolves through Graph
    alert_id: str


def checked_users(alerted: Iterable[AlertedUser], max_users: int) -> list[AlertedUser]:
    """An alert's users, each checked and keyed (`checked_user`). One bad name, or more than
    `max_users`, refuses the whole alert before any job exists: the caller gets a 400 naming them."""
    alerted = list(alerted)
    if len(alerted) > max_users:
        raise RequestError(f"the alert names {len(alerted)} users, more than MAX_USERS_PER_ALERT ({max_users})")
    refused = [item.user for item in alerted if not is_user(item.user)]
    if refused:
        more = f" and {len(refused) - SHOWN_REFUSALS} more" if len(refused) > SHOWN_REFUSALS else ""
        raise RequestError(f"refused {len(refused)} user(s), neither an email address nor an Entra object id: "
                           f"{', '.join(quoted(user) for user in refused[:SHOWN_REFUSALS])}{more}")
    return [AlertedUser(checked_user(item.user), item.alert_id) for item in alerted]


def title_matches(title: object, alert_name: str) -> bool:
    """Portals prefix incident titles ("'User restricted from sending email' involving one user")."""
    return isinstance(title, str) and alert_name.casefold() in title.casefold()


def _unique(found: Iterable[AlertedUser]) -> list[AlertedUser]:
    seen: set[tuple[str, str]] = set()
    result = []
    for item in found:
        key = (item.alert_id, item.user.casefold())
        if item.user and key not in seen:
            seen.add(key)
            result.append(item)
    return result


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


# A payload is read as far as it has the documented shape: a part of another type counts as absent.
def _object(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _objects(value: object) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


# --- Office 365 Management Activity API (webhook notifications and audit records) ---

class ContentNotification(NamedTuple):
    pointers: list[dict]               # the items to fetch, checked
    refused: list[RequestError]        # why each other item was skipped, in payload order


def _content_pointer(item: object, tenant_id: str, management_api_base_url: str) -> dict:
    if not isinstance(item, dict) or not _text(item.get("contentId")) or not _text(item.get("contentUri")):
        raise RequestError("a notification item needs contentId and contentUri")
    if _text(item.get("tenantId")).lower() != tenant_id.strip().lower():
        raise ForbiddenError("the notification item is for another tenant")
    try:
        check_content_uri(item["contentUri"], management_api_base_url, tenant_id)
    except RequestError as exc:
        raise ForbiddenError(exc.message) from exc   # the worker would refuse it: never enqueue it
    return {"contentId": item["contentId"], "contentUri": item["contentUri"], "tenantId": item["tenantId"],
            "contentType": _text(item.get("contentType"))}


def content_notifications(body: object, tenant_id: str, management_api_base_url: str) -> ContentNotification:
    """The content pointers of a webhook notification, each checked before anything is enqueued.

    An item must name our tenant and a `contentUri` under our tenant's feed on the Management
    API host (the fetcher's own check): the worker will fetch that URI with our token, so a forged
    one must never reach the queue. Bad items are skipped, not the good ones beside them (the
    Management API would retry the whole notification). Only when every item is refused is the
    notification refused: 403 if any item was forged (tenant, contentUri), else 400.
    """
    if not isinstance(body, list):
        raise RequestError("a notification is a JSON array of content pointers")
    pointers, refused = [], []
    for item in body:
        try:
            pointers.append(_content_pointer(item, tenant_id, management_api_base_url))
        except RequestError as exc:
            refused.append(exc)
    if refused and not pointers:
        raise next((exc for exc in refused if isinstance(exc, ForbiddenError)), refused[0])
    return ContentNotification(pointers, refused)


def _record_entity(record: dict) -> tuple[str, str]:
    """(entity type, entity) of an AlertEntityGenerated record; `Data` is a JSON string."""
    try:
        data = _object(json.loads(record.get("Data") or "{}"))
    except (TypeError, ValueError, RecursionError):
        data = {}
    entity_type = _text(record.get("EntityType")) or _text(data.get("etype"))
    entity = _text(record.get("ObjectId")) or _text(record.get("AlertEntityId")) or _text(data.get("eid"))
    return entity_type, entity


def restricted_sender_alerts(records: Iterable[object], alert_name: str) -> list[AlertedUser]:
    """Security & Compliance alert records naming a user (deduplicated on AlertId + entity)."""
    found = []
    for record in records:
        if not isinstance(record, dict) or record.get("Operation") != "AlertEntityGenerated":
            continue
        if _text(record.get("Name")).casefold() != alert_name.casefold():
            continue
        entity_type, entity = _record_entity(record)
        if entity_type.casefold() == "user" and is_user(entity):
            found.append(AlertedUser(entity, _text(record.get("AlertId"))))
    return _unique(found)


# --- Azure Monitor (common alert schema) ---

def azure_monitor_users(payload: object, field: str) -> list[AlertedUser]:
    """Users of a fired alert: dimension `field` of any condition, or custom property `field`."""
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, dict):
        raise RequestError("not an Azure Monitor common alert schema payload (no data)")
    essentials = _object(data.get("essentials"))
    if essentials.get("monitorCondition") != "Fired":
        return []
    context = _object(data.get("alertContext"))
    values = [dimension.get("value") for criterion in _objects(_object(context.get("condition")).get("allOf"))
              for dimension in _objects(criterion.get("dimensions"))
              if _text(dimension.get("name")).casefold() == field.casefold()]
    values += [_object(properties).get(field) for properties in (context.get("properties"), data.get("customProperties"))]
    alert_id = _text(essentials.get("alertId"))
    return _unique(AlertedUser(_text(value), alert_id) for value in values)


# --- Microsoft Sentinel (incident forwarded by a playbook) ---

def _sentinel_entity_user(entity: dict) -> str:
    kind = _text(entity.get("kind"))
    properties = _object(entity.get("properties"))
    if kind == "Mailbox":
        return _text(properties.get("upn")) or _text(properties.get("mailboxPrimaryAddress"))
    if kind == "Account":
        name, suffix = _text(properties.get("accountName")), _text(properties.get("upnSuffix"))
        return f"{name}@{suffix}" if name and suffix else _text(properties.get("aadUserId"))
    return ""


def sentinel_users(payload: object, alert_name: str) -> list[AlertedUser]:
    """Users of a matching incident: the trigger body (`object` = incident) or the incident itself."""
    if not isinstance(payload, dict):
        raise RequestError("a Sentinel incident is a JSON object")
    incident = payload.get("object", payload)
    properties = incident.get("properties") if isinstance(incident, dict) else None
    if not isinstance(properties, dict):
        raise RequestError("not a Sentinel incident (no properties)")
    titles = [properties.get("title")] + [_object(alert.get("properties")).get("alertDisplayName")
                                          for alert in _objects(properties.get("alerts"))]
    if not any(title_matches(title, alert_name) for title in titles):
        return []
    alert_id = _text(incident.get("name")) or _text(incident.get("id"))
    entities = _objects(properties.get("relatedEntities"))
    return _unique(AlertedUser(_sentinel_entity_user(entity), alert_id) for entity in entities)


# --- Microsoft Graph security alerts_v2 ---

def security_alert_users(alerts: Iterable[SecurityAlert], alert_name: str) -> list[AlertedUser]:
    """The users of the alerts whose title matches (`title` is not filterable in Graph); names that are
    neither an address nor an object id are no user to remediate."""
    return _unique(AlertedUser(user, alert.alert_id) for alert in alerts if title_matches(alert.title, alert_name)
                   for user in alert.users if is_user(user))
