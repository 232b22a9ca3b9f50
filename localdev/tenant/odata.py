"""Graph's OData conventions: error bodies, request ids, @odata.context, $select and paging.

Every Graph error has the documented body
    {"error": {"code", "message", "innerError": {"date", "request-id", "client-request-id"}}}
and every Graph response carries `request-id` and `client-request-id` headers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable, Mapping
from urllib.parse import urlencode


@dataclass
class RequestIds:
    """The ids Graph reports for one request; the client's own id is echoed back."""

    client_request_id: str = ""
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    date: str = field(default_factory=lambda: datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"))

    def __post_init__(self) -> None:
        self.client_request_id = self.client_request_id or self.request_id

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> "RequestIds":
        return cls(client_request_id=headers.get("client-request-id", ""))

    def headers(self) -> dict[str, str]:
        return {"request-id": self.request_id, "client-request-id": self.client_request_id}


class GraphError(Exception):
    """Raised by a Graph route; the dispatcher answers it with Graph's error body."""

    def __init__(self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = dict(headers or {})


def error_body(code: str, message: str, ids: RequestIds) -> dict:
    return {"error": {"code": code, "message": message, "innerError": {
        "date": ids.date, "request-id": ids.request_id, "client-request-id": ids.client_request_id}}}


# The errors several routes share, in Graph's words.
def not_found(resource: str) -> GraphError:
    return GraphError(404, "Request_ResourceNotFound",
                      f"Resource '{resource}' does not exist or one of its queried reference-property objects "
                      "are not present.")


def forbidden() -> GraphError:
    return GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")


def bad_request(message: str, code: str = "BadRequest") -> GraphError:
    return GraphError(400, code, message)


def malformed_json() -> GraphError:
    return bad_request("Unable to read JSON request payload. Please ensure Content-Type header is set and payload "
                       "is of valid JSON format.")


def segment_not_found(segment: str) -> GraphError:
    return bad_request(f"Resource not found for the segment '{segment}'.")


def method_not_allowed() -> GraphError:
    return GraphError(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")


def properties(body: dict) -> dict:
    """A request body without its instance annotations (`@odata.type`, which the SDKs send)."""
    return {name: value for name, value in body.items() if not name.startswith("@")}


def parameter(body: object, name: str) -> object:
    """An action parameter; Graph matches their names case-insensitively (msgraph-sdk sends `Message`)."""
    if not isinstance(body, dict):
        return None
    return next((value for key, value in body.items() if key.lower() == name.lower()), None)


def context(base: str, fragment: str) -> str:
    return f"{base}/v1.0/$metadata#{fragment}"


def select(query: Mapping[str, str], known: Iterable[str], type_name: str) -> list[str] | None:
    """The properties of `$select`, in the caller's order; None when absent. Unknown names are Graph's 400."""
    raw = query.get("$select")
    if raw is None:
        return None
    wanted = [name.strip() for name in raw.split(",") if name.strip()]
    by_lower = {name.lower(): name for name in known}
    for name in wanted:
        if name.lower() not in by_lower:
            raise bad_request(f"Parsing OData Select and Expand failed: Could not find a property named '{name}' "
                              f"on type '{type_name}'.")
    return [by_lower[name.lower()] for name in wanted]


def page(items: list, query: Mapping[str, str], next_url: str, default_size: int, max_size: int) -> dict:
    """One page of `items` by `$top` and `$skiptoken` (an offset), with `@odata.nextLink` when more remain."""
    size = default_size
    if "$top" in query:
        try:
            size = int(query["$top"])
        except ValueError:
            raise bad_request(f"Invalid value '{query['$top']}' for $top query option found. "
                              "The $top query option requires a non-negative integer value.") from None
        if size < 0 or size > max_size:
            raise bad_request(f"The limit of '{max_size}' for Top query has been exceeded. The value from the incoming "
                              f"request is '{size}'.")
    try:
        offset = int(query.get("$skiptoken") or 0)
    except ValueError:
        raise bad_request("The $skiptoken is invalid.") from None
    body: dict = {"value": items[offset:offset + size]}
    if offset + size < len(items):
        following = {key: value for key, value in query.items() if key != "$skiptoken"}
        following["$skiptoken"] = str(offset + size)
        body["@odata.nextLink"] = f"{next_url}?{urlencode(following, safe='$,:')}"
    return body
