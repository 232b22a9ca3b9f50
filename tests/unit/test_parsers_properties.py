"""Property-based tests of every parser of outside input: whatever arrives, it answers or raises
one of our errors (remediation/errors.py), never another exception type.

Inputs are the documented payloads (tests/events/) with parts replaced by arbitrary JSON, and
arbitrary JSON, text and bytes. Bounded: a few hundred examples per parser, the file in seconds.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import json
from datetime import datetime

import azure.functions as func
import jwt
from hypothesis import HealthCheck, example, given, settings, strategies as st

from handlers.http_io import query_int, read_json, read_object
from remediation.auth import READER, Caller, TokenValidator, bearer_token
from remediation.errors import RemediationError
from remediation.gateways.exchange_errors import exchange_error, parse_failure
from remediation.gateways.management_api import check_content_uri
from remediation.intake import (
    AlertedUser, azure_monitor_users, checked_users, content_notifications, restricted_sender_alerts,
    security_alert_users, sentinel_users,
)
from remediation.gateways import graph_shapes
from remediation.gateways.exchange_shapes import parse_block_reason
from remediation.models import parse_iso
from remediation.settings import Settings
from remediation.users import checked_user
from tests.conftest import load_event
from tests.plugins.app import APP_SETTINGS, EntraStub, new_key

BOUNDED = settings(max_examples=150, deadline=2000, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ALERT_NAME = "User restricted from sending email"
TENANT = "41463f53-8812-40f4-890f-865bf6e35190"
MANAGEMENT = "https://manage.office.com"
# Words the parsers look for, so that arbitrary JSON reaches their deeper branches.
KEYS = ["data", "essentials", "monitorCondition", "alertContext", "condition", "allOf", "dimensions", "name",
        "value", "properties", "customProperties", "alertId", "object", "title", "alerts", "alertDisplayName",
        "relatedEntities", "kind", "upn", "mailboxPrimaryAddress", "accountName", "upnSuffix", "aadUserId", "id",
        "evidence", "@odata.type", "userAccount", "userPrincipalName", "primaryAddress", "Operation", "Name",
        "EntityType", "ObjectId", "AlertEntityId", "Data", "AlertId", "contentId", "contentUri", "tenantId",
        "contentType", "error", "details", "message", "code", "innererror", "internalException", "type",
        "UserPrincipalName"]
WORDS = ["Fired", ALERT_NAME, "AlertEntityGenerated", "Mailbox", "Account", "User", "user",
         "#microsoft.graph.security.userEvidence", "#microsoft.graph.security.mailboxEvidence",
         "mallory@contoso.com", TENANT, f"{MANAGEMENT}/api/v1.0/{TENANT}/activity/feed/audit/x",
         "Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|gone",
         '{"etype": "User", "eid": "mallory@contoso.com"}', "/Date(1732780800000)/"]

scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
           | st.sampled_from(WORDS))
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=5),
    max_leaves=25)


def _paths(value, path=()):
    yield path
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield from _paths(child, (*path, key))


@st.composite
def mutated(draw, document):
    """`document` with up to three of its parts (or itself) replaced by arbitrary JSON."""
    result = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_paths(result))))
        replacement = draw(json_values)
        if not path:
            return replacement
        parent = result
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = replacement
    return result


def payloads(*fixtures: str):
    return st.one_of(json_values, *(mutated(load_event(name)) for name in fixtures))


def only_our_errors(parse, *args):
    """What `parse` returns, or None when it raised one of our errors."""
    try:
        return parse(*args)
    except RemediationError:
        return None


def assert_alerted(found):
    assert found is None or all(isinstance(item, AlertedUser) and isinstance(item.user, str)
                                and isinstance(item.alert_id, str) for item in found)


# --- remediation/intake.py ---------------------------------------------------------------------

@BOUNDED
@given(payloads("o365/08-webhook-notification.request.template.json"))
def test_o365_notifications(body):
    notification = only_our_errors(content_notifications, body, TENANT, MANAGEMENT)
    assert notification is None or all(isinstance(pointer["contentUri"], str) for pointer in notification.pointers)


@BOUNDED
@given(payloads("intake/o365-audit-records/elastic-sec-comp-alerts_AlertEntityGenerated_"
                "ElevationOfExchangeAdminPrivilege.json", "o365/10-retrieve-content.response.json"))
def test_o365_audit_records(records):
    records = records if isinstance(records, list) else [records]
    assert_alerted(only_our_errors(restricted_sender_alerts, records, ALERT_NAME))


@BOUNDED
@given(payloads("intake/azure-monitor/common-schema_log-search-alert-v2_full-payload.json"),
       st.sampled_from(["UserPrincipalName", "ResourceId", "name1"]))
@example({"data": {"essentials": {"monitorCondition": "Fired"}, "alertContext": True}}, "UserPrincipalName")
@example({"data": {"essentials": {"monitorCondition": "Fired"}, "alertContext": {"condition": {"allOf": [1]}}}}, "x")
def test_azure_monitor_common_schema(payload, field):
    assert_alerted(only_our_errors(azure_monitor_users, payload, field))


@BOUNDED
@given(payloads("intake/sentinel/incident-trigger-body.template.json"))
@example({"properties": {"title": ALERT_NAME, "relatedEntities": True}})
@example({"properties": {"title": ALERT_NAME, "relatedEntities": [{"kind": "Mailbox", "properties": "x"}]}})
def test_sentinel_incidents(payload):
    assert_alerted(only_our_errors(sentinel_users, payload, ALERT_NAME))


@BOUNDED
@given(payloads("intake/graph-security/alerts_v2-list.response.json"))
@example([{"title": ALERT_NAME, "evidence": [{"@odata.type": "#x.userEvidence", "userAccount": 1}]}])
def test_alerts_v2(page):
    alerts = page.get("value") if isinstance(page, dict) else page
    alerts = alerts if isinstance(alerts, list) else [alerts]
    # The Graph gateway reads each object of the page into a SecurityAlert; the intake picks the users.
    parsed = only_our_errors(lambda: [graph_shapes.security_alert(item) for item in alerts if isinstance(item, dict)])
    assert_alerted(only_our_errors(security_alert_users, parsed or [], ALERT_NAME))


@BOUNDED
@given(st.lists(st.builds(AlertedUser, st.text(max_size=80) | st.emails(), st.text(max_size=10)), max_size=8),
       st.integers(1, 10))
@example([AlertedUser("\u0130" * 64 + "@contoso.com", "a")], 1)
def test_checked_users(alerted, cap):
    checked = only_our_errors(checked_users, alerted, cap)
    assert checked is None or (len(checked) <= cap and all(checked_user(item.user) == item.user for item in checked))


@BOUNDED
@given(json_values | st.emails())
def test_a_user_name(value):
    user = only_our_errors(checked_user, value)
    assert user is None or (user == user.strip() and "\n" not in user and "\r" not in user)


@BOUNDED
@given(st.text(max_size=200) | st.sampled_from(WORDS) | json_values)
def test_content_uris(uri):
    only_our_errors(check_content_uri, uri, MANAGEMENT, TENANT)


# --- handlers/http_io.py -------------------------------------------------------------------------

def request(body: bytes, length: str | None = None) -> func.HttpRequest:
    headers = {"Content-Type": "application/json", **({"Content-Length": length} if length is not None else {})}
    return func.HttpRequest("POST", "https://responder.example.net/api/x", headers=headers, body=body)


json_bodies = json_values.map(lambda value: json.dumps(value).encode())
nested = st.integers(1, 3000).flatmap(lambda depth: st.sampled_from(["[", '{"a":']).map(
    lambda opener: (opener * depth + "1" + ("]" if opener == "[" else "}") * depth).encode()))


@BOUNDED
@given(st.binary(max_size=300) | json_bodies | nested, st.none() | st.text(max_size=12))
@example(b"{}", "\u00b2")
def test_request_bodies(body, length):
    only_our_errors(read_json, request(body, length), 65536)
    only_our_errors(read_object, request(body, length), 65536, {"user", "reason"})


@BOUNDED
@given(st.text(max_size=12))
@example("\u00b2")
def test_query_numbers(limit):
    req = func.HttpRequest("GET", "https://responder.example.net/api/x", params={"limit": limit}, body=b"")
    number = only_our_errors(query_int, req, "limit", 50, 1, 200)
    assert number is None or 1 <= number <= 200


# --- remediation/models.py ----------------------------------------------------------------------

@BOUNDED
@given(st.none() | st.text(max_size=40) | st.sampled_from(["/Date(99999999999999999999)/", "/Date(-1)/",
                                                              "11/28/2026 7:00:00 AM", "2026-11-28T07:00:00Z"])
       | st.from_regex(r"/Date\(-?\d{1,25}([+-]\d{4})?\)/", fullmatch=True) | st.integers() | st.floats())
@example("/Date(99999999999999999999)/")
@example(1732780800)
def test_dates(text):
    moment = only_our_errors(parse_iso, text)
    assert moment is None or (isinstance(moment, datetime) and moment.tzinfo is not None)


@BOUNDED
@given(st.text(max_size=100) | json_values)
@example(None)
def test_block_reasons(reason):
    parts = only_our_errors(parse_block_reason, reason)
    assert parts is None or all(isinstance(key, str) and isinstance(value, str) for key, value in parts.items())


# --- remediation/gateways/exchange_errors.py ----------------------------------------------------

@BOUNDED
@given(payloads("exchange/adminapi-error-objectnotfound.json", "o365/12-error.response.json"),
       st.integers(400, 599), st.none() | st.floats(0, 1e6))
@example({"error": {"code": True, "message": "x"}}, 500, None)
@example({"error": {"details": ["text"], "innererror": "text"}}, 500, None)
def test_exchange_failures(body, status, retry_after):
    failure = parse_failure(body)
    assert all(isinstance(part, str) for part in (failure.code, failure.exception_type, failure.text))
    assert isinstance(exchange_error(status, body, "Get-Mailbox", retry_after), RemediationError)


# --- remediation/auth.py ------------------------------------------------------------------------

def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


KEY = new_key()
tokens = (st.text(max_size=60)
          | st.tuples(json_values, json_values, st.binary(max_size=20)).map(
              lambda parts: ".".join([b64(json.dumps(parts[0]).encode()), b64(json.dumps(parts[1]).encode()),
                                      b64(parts[2])]))
          | st.dictionaries(st.sampled_from(["alg", "kid", "typ"]), st.sampled_from(["RS256", "key-1", "none", 1])
                            | scalars, max_size=3).map(
              lambda header: f"{b64(json.dumps(header).encode())}.{b64(b'{}')}.{b64(b'x')}"))
CLAIMS = ["aud", "iss", "exp", "nbf", "iat", "oid", "roles", "upn", "preferred_username", "appid", "azp"]
# A valid reader's claims with some replaced by arbitrary JSON (numbers beyond any date too) and some left out.
signed_claims = st.builds(
    lambda changed, dropped: {key: value for key, value in {**EntraStub(KEY).claims((READER,)), **changed}.items()
                              if key not in dropped},
    st.dictionaries(st.sampled_from(CLAIMS), json_values | st.integers(-10**30, 10**30), max_size=3),
    st.sets(st.sampled_from(CLAIMS), max_size=2))


async def _authenticate(authorization: str) -> Caller:
    entra = EntraStub(KEY)
    async with entra.client() as client:
        return await TokenValidator(Settings.from_env(APP_SETTINGS), http=client).authenticate(authorization, READER)


@BOUNDED
@given(st.none() | st.text(max_size=40) | tokens.map(lambda token: f"Bearer {token}"))
def test_bearer_tokens(authorization):
    only_our_errors(bearer_token, authorization)
    only_our_errors(asyncio.run, _authenticate(authorization))


@settings(BOUNDED, max_examples=60)
@given(signed_claims)
def test_signed_tokens_with_arbitrary_claims(claims):
    # Signed as bytes: PyJWT's encode would refuse some of these claims before they could reach us.
    token = jwt.api_jws.encode(json.dumps(claims).encode(), KEY, algorithm="RS256", headers={"kid": "key-1"})
    caller = only_our_errors(asyncio.run, _authenticate(f"Bearer {token}"))
    assert caller is None or isinstance(caller.identity, str)
