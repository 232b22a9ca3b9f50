"""The Office 365 Management Activity API: audit content for the O365 webhook path.

A webhook notification names a `contentUri` to fetch with our token. The notification's
sender is only authenticated by a shared `Webhook-AuthID`, so the URI is checked before
any request: exactly MANAGEMENT_API_BASE_URL's scheme, host and port, a path under
`/api/v1.0/{TENANT_ID}/activity/feed/`, and no redirect is ever followed; otherwise our
token (and our network position) would serve whoever wrote the notification.
"""

from __future__ import annotations

from urllib.parse import unquote

import httpx

from remediation.errors import RequestError
from remediation.gateways.http import IDEMPOTENT, RetryPolicy, ServiceClient, origin, retry_after_seconds, send
from remediation.gateways.http_errors import error_for_status
from remediation.settings import Settings

SERVICE = "management-api"
PERMISSION = "ActivityFeed.Read (Office 365 Management APIs)"
FEED = "/api/v1.0/{tenant}/activity/feed"


def check_content_uri(content_uri: str, base_url: str, tenant_id: str) -> httpx.URL:
    """The URI if it may be fetched: on `base_url`'s scheme, host and port, under this tenant's
    activity feed; else RequestError (400). Handlers may call it too, to reject before enqueuing."""
    try:
        url = httpx.URL(content_uri)
    except (httpx.InvalidURL, TypeError) as exc:
        raise RequestError(f"contentUri is not a URL: {exc}", service=SERVICE) from exc
    if url.userinfo or origin(url) != origin(base_url):
        raise RequestError("contentUri is not on the Management Activity API's host", service=SERVICE)
    segments = [unquote(part) for part in url.raw_path.decode("ascii").split("?")[0].split("/")]
    if any(part in (".", "..") or "/" in part or "\\" in part for part in segments):
        raise RequestError("contentUri has a path that could leave the activity feed", service=SERVICE)
    prefix = ["", "api", "v1.0", tenant_id.lower(), "activity", "feed"]
    if not tenant_id or [part.lower() for part in segments[:6]] != prefix or not "".join(segments[6:]):
        raise RequestError("contentUri is not under this tenant's activity feed", service=SERVICE)
    return url


class ManagementActivityClient(ServiceClient):
    """Fetches audit content and manages the webhook subscription. `aclose()` at shutdown."""

    def __init__(self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None,
                 credential=None, retry: RetryPolicy | None = None) -> None:
        super().__init__(settings.management_api_base_url, settings, transport=transport, credential=credential,
                         retry=retry)

    async def fetch_content(self, content_uri: str) -> list[dict]:
        """The audit records of one content blob (a JSON array)."""
        body = await self._call("GET", check_content_uri(content_uri, self.base_url, self.tenant))
        return body if isinstance(body, list) else []

    async def start_subscription(self, webhook_address: str, auth_id: str,
                                 content_type: str = "Audit.General") -> dict:
        webhook = {"address": webhook_address, "authId": auth_id, "expiration": ""}
        params = {"contentType": content_type, "PublisherIdentifier": self.tenant}
        return await self._call("POST", httpx.URL(self.tenant_url(FEED + "/subscriptions/start"), params=params),
                                json={"webhook": webhook})

    async def list_subscriptions(self) -> list[dict]:
        return await self._call("GET", httpx.URL(self.tenant_url(FEED + "/subscriptions/list")))

    async def _call(self, method: str, url: httpx.URL, *, json: dict | None = None):
        # Every call here is safe to repeat; starting a subscription again sets the same webhook.
        request = self._http.build_request(method, url, json=json, extensions={IDEMPOTENT: True})
        response = await send(self._http, request, service=SERVICE)
        if response.is_success:
            return response.json() if response.content else None
        try:
            error = (response.json() or {}).get("error") or {}
        except (ValueError, AttributeError):
            error = {}
        message = error.get("message") or f"HTTP {response.status_code} {response.reason_phrase}"
        if response.is_redirect:
            message = f"refused to follow a redirect to {response.headers.get('Location', '?')}"
        raise error_for_status(response.status_code, message, service=SERVICE, code=error.get("code") or "",
                               permission=PERMISSION,
                               retry_after=retry_after_seconds(response.headers.get("Retry-After")))
