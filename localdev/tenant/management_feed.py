"""The Management Activity API's data: subscriptions, content blobs, notifications, and its errors.

Kept in `TenantState.management`:
    subscriptions[contentType] = {"contentType", "status", "webhook": {...} | None, "clientId", "since"}
    content[contentId] = {"contentType", "contentId", "contentCreated", "contentExpiration", "records": [...]}
    notifications = [{"contentType", "contentId", "contentUri", "contentCreated", "contentExpiration",
                      "notificationSent", "notificationStatus"}]
Errors are the documented `{"error": {"code": "AF.....", "message"}}` (reference.md, Errors).
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timedelta, timezone

from aiohttp import web

from localdev.tenant.state import TenantState, iso

CONTENT_TYPES = ("Audit.AzureActiveDirectory", "Audit.Exchange", "Audit.SharePoint", "Audit.General", "DLP.All")
RETENTION = timedelta(days=7)        # content can be fetched for 7 days
MAX_WINDOW = timedelta(hours=24)     # startTime and endTime at most 24 hours apart
DEFAULT_PAGE_SIZE = 200
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?Z?$")
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


class FeedError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def response(self) -> web.Response:
        return web.Response(text=json.dumps({"error": {"code": self.code, "message": self.message}}),
                            status=self.status, content_type="application/json", charset="utf-8")


def check_tenant(state: TenantState, tenant: str) -> None:
    """The API names the tenant by GUID only (a domain is AF20013, as in the real service)."""
    if not _GUID.match(tenant):
        raise FeedError(400, "AF20013", f"The tenant ID passed in the URL ({tenant}) is not a valid GUID.")
    if tenant.lower() != state.tenant_id.lower():
        raise FeedError(400, "AF20011",
                        f"Specified tenant ID ({tenant}) does not exist in the system or has been deleted.")


def content_type(query) -> str:
    value = query.get("contentType")
    if not value:
        raise FeedError(400, "AF20001", "Missing parameter: contentType.")
    canonical = next((name for name in CONTENT_TYPES if name.lower() == value.lower()), None)
    if canonical is None:
        raise FeedError(400, "AF20020", "The specified content type is not valid.")
    return canonical


def subscription(state: TenantState, kind: str) -> dict:
    """The enabled subscription to `kind`; without one the service lists and serves nothing."""
    found = state.management["subscriptions"].get(kind)
    if found is None or found.get("status") != "enabled":
        raise FeedError(400, "AF20022", "No subscription found for the specified content type.")
    return found


def parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.rstrip("Z"))
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def time_window(query, now: datetime) -> tuple[datetime, datetime]:
    """startTime <= contentCreated < endTime; both or neither, at most 24 h apart, start within 7 days."""
    start, end = query.get("startTime"), query.get("endTime")
    if start is None and end is None:
        return now - MAX_WINDOW, now
    if start is None or end is None:
        raise _window_error()
    first, last = _datetime("startTime", start), _datetime("endTime", end)
    if not (first < last <= first + MAX_WINDOW) or first < now - RETENTION:
        raise _window_error()
    return first, last


def _datetime(name: str, value: str) -> datetime:
    try:
        if _TIME.match(value):
            return parse_time(value)
    except ValueError:
        pass
    raise FeedError(400, "AF20002", f"Invalid parameter type: {name}. Expected type: datetime")


def _window_error() -> FeedError:
    return FeedError(400, "AF20030", "Start time and end time must both be specified (or both omitted) and must be "
                                    "less than or equal to 24 hours apart, with the start time no more than 7 days "
                                    "in the past.")


def page(items: list, query, page_size: int) -> tuple[list, int | None]:
    """One page by the `nextPage` offset; the offset of the next page, if any."""
    token = query.get("nextPage", "0")
    if not token.isdigit():
        raise FeedError(400, "AF20031", f"Invalid nextPage Input: {token}.")
    offset = int(token)
    following = offset + page_size
    return items[offset:following], following if following < len(items) else None


def content_uri(base: str, tenant_id: str, content_id: str) -> str:
    return f"{base}/api/v1.0/{tenant_id}/activity/feed/audit/{content_id}"


def add_content(state: TenantState, kind: str, records: list[dict]) -> dict:
    """A new content blob holding `records`, available from now for 7 days."""
    now = state.now()
    unique = uuid.uuid4()
    stamp = f"{unique.int % 10**12:012d}"
    content_id = f"{stamp}${stamp}${state.tenant_id.replace('-', '')}gen{now:%Y%m%d%H}${unique.hex}$04"
    blob = {"contentType": kind, "contentId": content_id, "contentCreated": iso(now),
            "contentExpiration": iso(now + RETENTION), "records": records}
    state.management["content"][content_id] = blob
    return blob


def listed(blob: dict, base: str, tenant_id: str) -> dict:
    """A blob as /subscriptions/content lists it."""
    return {"contentType": blob["contentType"], "contentId": blob["contentId"],
            "contentUri": content_uri(base, tenant_id, blob["contentId"]),
            "contentCreated": blob["contentCreated"], "contentExpiration": blob["contentExpiration"]}


def available(state: TenantState, kind: str, start: datetime, end: datetime) -> list[dict]:
    """Blobs of `kind` created in [start, end) since the subscription started, oldest first."""
    since = parse_time(subscription(state, kind)["since"])
    blobs = [blob for blob in state.management["content"].values()
             if blob["contentType"] == kind and start <= parse_time(blob["contentCreated"]) < end
             and parse_time(blob["contentCreated"]) >= since]
    return sorted(blobs, key=lambda blob: blob["contentCreated"])


def blob(state: TenantState, content_id: str) -> dict:
    found = state.management["content"].get(content_id)
    if found is None:
        raise FeedError(404, "AF20050", f"The specified content ({content_id}) does not exist.")
    subscription(state, found["contentType"])
    if parse_time(found["contentExpiration"]) <= state.now():
        raise FeedError(400, "AF20051", f"Content requested with the key {content_id} has already expired. "
                                        "Content older than 7 days cannot be retrieved.")
    return found
