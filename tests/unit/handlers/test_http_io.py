"""Reading request bodies: JSON nested too deeply is a 400 with a reason, never a RecursionError."""

from __future__ import annotations

import pytest

from handlers.alerts_sentinel import alerts_sentinel
from handlers.http_errors import status_of
from handlers.http_io import MAX_JSON_DEPTH, read_json
from remediation.auth import ALERTS_SUBMIT
from remediation.errors import RequestError
from tests.unit.handlers.calls import http_request, problem_of

LIMIT = 1 << 20


def body(raw: bytes):
    return read_json(http_request("POST", "/api/x", raw=raw), LIMIT)


@pytest.mark.parametrize("raw", [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
                                 b"[" * 100_000])
def test_deep_nesting_is_refused_with_its_reason(raw):
    with pytest.raises(RequestError, match=f"the body nests deeper than {MAX_JSON_DEPTH} levels") as refused:
        body(raw)
    assert status_of(refused.value) == 400


def test_nesting_up_to_the_cap_is_read_and_brackets_in_strings_do_not_count():
    nested = b"[" * MAX_JSON_DEPTH + b'"[[[{{{\\"]]]"' + b"]" * MAX_JSON_DEPTH
    value = body(nested)
    for _ in range(MAX_JSON_DEPTH):
        value = value[0] if isinstance(value, list) else value
    assert value == '[[[{{{"]]]'
    assert body(b'\xef\xbb\xbf{"user": "[{"}') == {"user": "[{"}


def test_broken_json_is_still_named_as_such():
    with pytest.raises(RequestError, match="the body is not valid JSON"):
        body(b'{"a": [1, 2}')


async def test_a_deeply_nested_alert_is_a_400_problem(fake, entra):
    raw = b"{\"object\":" * 1_000 + b"{}" + b"}" * 1_000
    response = await alerts_sentinel(http_request("POST", "/api/alerts/sentinel", raw=raw,
                                                  headers=entra.bearer(ALERTS_SUBMIT)))
    assert problem_of(response)["detail"] == f"the body nests deeper than {MAX_JSON_DEPTH} levels"
    assert fake.calls == []
