"""The Management Activity API's calls to a subscriber's webhook: the validation handshake and notifications.

Both are POSTs with a JSON body and, when the subscription has an `authId`, a `Webhook-AuthID`
header; the service signs nothing. Only an exact `200 OK` counts as success (202 and 204
included among the failures). The real service retries failed notifications with back-off
and may disable the webhook; the sandbox tries once and records the outcome.
"""

from __future__ import annotations

import json
import secrets
from ipaddress import ip_address
from urllib.parse import urlsplit

import aiohttp

TIMEOUT = aiohttp.ClientTimeout(total=10)


def _loopback(host: str) -> bool:
    try:
        return host == "localhost" or ip_address(host).is_loopback
    except ValueError:   # a name other than localhost
        return False


def address_problem(address: str) -> str | None:
    """Why the service would refuse this webhook address, or None. The real service wants
    HTTPS; the sandbox also takes plain HTTP on loopback, where its tests' receivers listen.
    (The sandbox's own rule, not the app's: it imports nothing from the app.)"""
    parts = urlsplit(address)
    if parts.scheme == "https" or (parts.scheme == "http" and _loopback(parts.hostname or "")):
        return None
    return "The address must begin with HTTPS."


def _headers(auth_id: str | None, extra: dict | None = None) -> dict[str, str]:
    headers = {"Content-Type": "application/json; charset=utf-8", **(extra or {})}
    if auth_id:
        headers["Webhook-AuthID"] = auth_id
    return headers


async def _post(address: str, headers: dict[str, str], body) -> int | None:
    """The webhook's HTTP status, or None when it could not be reached in time."""
    try:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            async with session.post(address, data=json.dumps(body), headers=headers) as response:
                return response.status
    except (aiohttp.ClientError, TimeoutError, OSError):
        return None


async def validate(address: str, auth_id: str | None) -> int | None:
    """Send the validation request; the webhook is enabled only if this returns 200."""
    code = secrets.token_urlsafe(24)
    return await _post(address, _headers(auth_id, {"Webhook-ValidationCode": code}), {"validationCode": code})


async def notify(address: str, auth_id: str | None, notifications: list[dict]) -> int | None:
    return await _post(address, _headers(auth_id), notifications)
