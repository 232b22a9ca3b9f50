"""schemathesis against /api/openapi.json on the local host: requests generated from the document,
valid and not, each sent with every credential the routes take; no answer is a 5xx, and every
answer (status, content type, headers, body) is one the document describes."""

from __future__ import annotations

import json

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_headers_conformance, response_schema_conformance, status_code_conformance,
)

from remediation.openapi import document
from tests.e2e.support import ADMIN, ALERTS_SUBMIT, READER

pytestmark = pytest.mark.e2e

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


# The document the app serves is built by remediation.openapi; the test below checks that they are one.
schema = schemathesis.openapi.from_dict(document())


def test_the_document_tested_is_the_one_served(e2e):
    assert httpx.get(f"{e2e.url}/api/openapi.json", timeout=15).json() == json.loads(json.dumps(document()))


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_is_documented_and_none_is_a_5xx(case, e2e):
    credentials = {**e2e.bearer(ADMIN, READER, ALERTS_SUBMIT), "Webhook-AuthID": e2e.settings["O365_WEBHOOK_AUTH_ID"],
                   "x-functions-key": e2e.settings["FUNCTIONS_KEY"]}
    case.call_and_validate(base_url=e2e.url, headers=credentials, checks=CHECKS, timeout=15)
