"""Reading requests: a size limit before parsing, JSON, known fields only, query values,
the caller's bearer token.

Every failure is a RequestError (TooLargeError for a body over MAX_REQUEST_BYTES), which
`http_errors` turns into a problem response.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any
from urllib.parse import urlsplit

import azure.functions as func

from handlers import runtime
from remediation.auth import Caller
from remediation.errors import RequestError, TooLargeError

# No payload we read nests beyond ~10 levels; the cap keeps the parser's recursion far from Python's limit.
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(r"[\[\]{}]")


def read_json(req: func.HttpRequest, max_bytes: int, *, optional: bool = False) -> Any:
    """The parsed body; None for an empty optional body."""
    declared = req.headers.get("Content-Length", "")
    body = req.get_body() or b""
    if (_whole_number(declared) or 0) > max_bytes or len(body) > max_bytes:
        raise TooLargeError(f"the body is larger than {max_bytes} bytes")
    if not body.strip():
        if optional:
            return None
        raise RequestError("a JSON body is required")
    try:
        text = body.decode("utf-8-sig") if isinstance(body, bytes) else body
        if _depth(text) > MAX_JSON_DEPTH:
            raise RequestError(f"the body nests deeper than {MAX_JSON_DEPTH} levels")
        return json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise RequestError(f"the body is not valid JSON: {exc}") from exc


def _whole_number(text: str) -> int | None:
    """ASCII digits only: str.isdigit() also takes "²", which int() refuses."""
    return int(text) if text.isascii() and text.isdigit() else None


def _depth(text: str) -> int:
    """How deep arrays and objects nest, brackets inside strings aside (a scan, no recursion)."""
    steps = (1 if bracket in "[{" else -1 for bracket in _BRACKET.findall(_JSON_STRING.sub("", text)))
    return max(accumulate(steps, initial=0))


def read_object(req: func.HttpRequest, max_bytes: int, fields: set[str], *, optional: bool = False) -> dict:
    """A JSON object holding no field outside `fields` ({} for an empty optional body)."""
    body = read_json(req, max_bytes, optional=optional)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise RequestError("the body must be a JSON object")
    unknown = sorted(set(body) - fields)
    if unknown:
        raise RequestError(f"unknown field(s): {', '.join(unknown)}; allowed: {', '.join(sorted(fields))}")
    return body


def text_field(body: dict, name: str, *, required: bool = False, max_length: int = 1000) -> str:
    value = body.get(name)
    if value in (None, "") and not required:
        return ""
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise RequestError(f"{name} must be a non-empty string of at most {max_length} characters")
    return value.strip()


def choice_field(body: dict, name: str, choices: tuple[str, ...]) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if value not in choices:
        raise RequestError(f"{name} must be one of {', '.join(choices)}")
    return value


def bool_field(body: dict, name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise RequestError(f"{name} must be true or false")
    return value


def list_field(body: dict, name: str, *, max_items: int = 20) -> list[str] | None:
    """An optional list of short strings."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > max_items or not all(
            isinstance(item, str) and 0 < len(item) <= 100 for item in value):
        raise RequestError(f"{name} must be a list of at most {max_items} names")
    return value


def query_choice(req: func.HttpRequest, name: str, choices: tuple[str, ...]) -> str | None:
    return choice_field({name: req.params.get(name) or None}, name, choices)


def query_int(req: func.HttpRequest, name: str, default: int, low: int, high: int) -> int:
    raw = req.params.get(name)
    if not raw:
        return default
    number = _whole_number(raw)
    if number is None or not low <= number <= high:
        raise RequestError(f"{name} must be a whole number from {low} to {high}")
    return number


def origin(req: func.HttpRequest) -> str:
    """scheme://host[:port] the caller used, for the URLs we hand back."""
    parts = urlsplit(req.url)
    return f"{parts.scheme}://{parts.netloc}"


async def authenticate(req: func.HttpRequest, role: str) -> Caller:
    """The caller behind the request's bearer token, holding `role` (401/403 otherwise)."""
    return await runtime.tokens().authenticate(req.headers.get("Authorization"), role)
