"""The admin API: roles, input checks with problem bodies, and the job JSON it answers."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from handlers.admin_api import (
    remediations_approve, remediations_cancel, remediations_create, remediations_get, remediations_list,
    restricted_senders,
)
from remediation.auth import ADMIN, ALERTS_SUBMIT, READER
from remediation.models import AWAITING_APPROVAL, QUEUED, RESOLVED, iso
from remediation.records import Decision, Identity
from tests.plugins.app import MAX_REQUEST_BYTES
from tests.unit.handlers.calls import BASE, http_request, json_of, problem_of
from tests.unit.handlers.fake_service import NOW

IDENTITY = "admin@contoso.com (8b6a1a1c-0000-4000-8000-000000000001)"


async def test_a_new_remediation_is_202_with_its_url(fake, entra):
    body = {"user": "Mallory@Contoso.com", "reason": "phished", "mode": "dry-run", "force": True}
    response = await remediations_create(http_request("POST", "/api/remediations", body=body,
                                                      headers=entra.bearer(ADMIN)))
    job = json_of(response)
    assert response.status_code == 202
    assert job["url"] == f"{BASE}/api/remediations/{job['id']}" == response.headers["Location"]
    assert (job["user"], job["status"], job["mode"], job["force"]) == ("mallory@contoso.com", QUEUED, "dry-run", True)
    assert job["trigger"] == {"source": "admin", "alertId": None, "requestedBy": IDENTITY, "reason": "phished"}


async def test_an_active_job_is_returned_200(fake, entra):
    existing = fake.add("mallory@contoso.com")
    response = await remediations_create(http_request("POST", "/api/remediations", body={"user": "mallory@contoso.com"},
                                                      headers=entra.bearer(ADMIN)))
    assert response.status_code == 200 and json_of(response)["id"] == existing.id
    assert "Location" not in response.headers


@pytest.mark.parametrize("body, words", [
    ({"user": "mallory@contoso.com", "priority": 1}, "unknown field(s): priority"),
    ({"user": "mallory"}, "email address"),
    ({"user": "mallory@contoso"}, "email address"),
    ({"user": ["mallory@contoso.com"]}, "user"),
    ({}, "user"),
    ({"user": "mallory@contoso.com", "mode": "yolo"}, "mode must be one of dry-run, enforce"),
    ({"user": "mallory@contoso.com", "force": "yes"}, "force must be true or false"),
    ({"user": "mallory@contoso.com", "reason": 7}, "reason"),
    (["mallory@contoso.com"], "JSON object"),
])
async def test_bad_input_is_400_with_a_problem_and_starts_nothing(fake, entra, body, words):
    response = await remediations_create(http_request("POST", "/api/remediations", body=body,
                                                      headers=entra.bearer(ADMIN)))
    assert response.status_code == 400 and words in problem_of(response)["detail"]
    assert fake.jobs == {}


@pytest.mark.parametrize("raw", [b"{\"user\": ", b"\xff\xfe", b""])
async def test_a_body_that_is_not_json_is_400(fake, entra, raw):
    response = await remediations_create(http_request("POST", "/api/remediations", raw=raw,
                                                      headers=entra.bearer(ADMIN)))
    assert response.status_code == 400 and problem_of(response)["title"] == "Bad Request"


async def test_a_body_over_the_limit_is_413(fake, entra):
    body = {"user": "mallory@contoso.com", "reason": "x" * MAX_REQUEST_BYTES}
    response = await remediations_create(http_request("POST", "/api/remediations", body=body,
                                                      headers=entra.bearer(ADMIN)))
    assert response.status_code == 413 and f"{MAX_REQUEST_BYTES} bytes" in problem_of(response)["detail"]


async def test_a_declared_length_over_the_limit_is_413(fake, entra):
    headers = {**entra.bearer(ADMIN), "Content-Length": "1000000"}
    response = await remediations_create(http_request("POST", "/api/remediations", body={"user": "a@b.cd"},
                                                      headers=headers))
    assert response.status_code == 413 and fake.jobs == {}


@pytest.mark.parametrize("roles, status", [(None, 401), ((READER,), 403), ((ALERTS_SUBMIT,), 403)])
async def test_starting_needs_the_admin_role(fake, entra, roles, status):
    headers = {} if roles is None else entra.bearer(*roles)
    response = await remediations_create(http_request("POST", "/api/remediations", body={"user": "a@b.cd"},
                                                      headers=headers))
    assert response.status_code == status and problem_of(response)["status"] == status
    assert fake.jobs == {}


async def test_a_job_is_read_by_a_reader(fake, entra):
    job = fake.add("mallory@contoso.com")
    response = await remediations_get(http_request("GET", f"/api/remediations/{job.id}", route_params={"id": job.id},
                                                   headers=entra.bearer(READER)))
    assert response.status_code == 200 and json_of(response)["id"] == job.id


async def test_an_unknown_job_is_404(fake, entra):
    response = await remediations_get(http_request("GET", "/api/remediations/nope", route_params={"id": "nope"},
                                                   headers=entra.bearer(ADMIN)))
    assert response.status_code == 404 and problem_of(response)["detail"] == "no job nope"


async def test_reading_needs_a_token(fake):
    response = await remediations_get(http_request("GET", "/api/remediations/x", route_params={"id": "x"}))
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"


async def test_the_list_filters_and_pages_with_next_links(fake, entra):
    for _ in range(3):
        fake.add("mallory@contoso.com", status=RESOLVED)
    fake.add("mallory@contoso.com")
    fake.add("bob@contoso.com", status=RESOLVED)
    params = {"user": "Mallory@contoso.com", "status": RESOLVED, "limit": "2"}
    first = json_of(await remediations_list(http_request("GET", "/api/remediations", params=params,
                                                         headers=entra.bearer(READER))))
    link = urlsplit(first["nextLink"])
    assert f"{link.scheme}://{link.netloc}{link.path}" == f"{BASE}/api/remediations"
    following = {key: values[0] for key, values in parse_qs(link.query).items()}
    second = json_of(await remediations_list(http_request("GET", "/api/remediations", params=following,
                                                          headers=entra.bearer(READER))))
    items = first["items"] + second["items"]
    assert len(items) == 3 and {(job["user"], job["status"]) for job in items} == {("mallory@contoso.com", RESOLVED)}
    assert second["nextLink"] is None and following["user"] == "mallory@contoso.com"


@pytest.mark.parametrize("params", [{"status": "done"}, {"limit": "0"}, {"limit": "many"}])
async def test_bad_list_parameters_are_400(fake, entra, params):
    response = await remediations_list(http_request("GET", "/api/remediations", params=params,
                                                    headers=entra.bearer(READER)))
    assert response.status_code == 400 and problem_of(response)


def decision(action, job_id: str, headers: dict, body: object = None, raw: bytes | None = None):
    return action(http_request("POST", f"/api/remediations/{job_id}/x", body=body, raw=raw, headers=headers,
                               route_params={"id": job_id}))


async def test_approval_records_the_admin_and_comment(fake, entra):
    job = fake.add("mallory@contoso.com", status=AWAITING_APPROVAL)
    response = await decision(remediations_approve, job.id, entra.bearer(ADMIN), {"comment": "CEO confirmed"})
    assert response.status_code == 200 and json_of(response)["status"] == QUEUED
    assert job.decisions == [Decision(iso(NOW), IDENTITY, "approve", "CEO confirmed")]
    assert fake.deciders == [Identity("admin@contoso.com", "8b6a1a1c-0000-4000-8000-000000000001")]


async def test_cancel_needs_no_body(fake, entra):
    job = fake.add("mallory@contoso.com")
    response = await decision(remediations_cancel, job.id, entra.bearer(ADMIN), raw=b"")
    assert response.status_code == 200 and json_of(response)["status"] == "cancelled"


async def test_approving_a_job_not_awaiting_approval_is_409(fake, entra):
    job = fake.add("mallory@contoso.com")
    response = await decision(remediations_approve, job.id, entra.bearer(ADMIN))
    assert response.status_code == 409 and job.status in problem_of(response)["detail"]


async def test_a_decision_with_unknown_fields_or_by_a_reader_changes_nothing(fake, entra):
    job = fake.add("mallory@contoso.com", status=AWAITING_APPROVAL)
    assert (await decision(remediations_approve, job.id, entra.bearer(ADMIN), {"why": "x"})).status_code == 400
    assert (await decision(remediations_cancel, job.id, entra.bearer(READER))).status_code == 403
    assert job.status == AWAITING_APPROVAL and job.decisions == []


async def test_the_blocked_list_is_read_by_a_reader(fake, entra):
    fake.blocked = [{"senderAddress": "mallory@contoso.com", "job": {"id": "j1", "status": QUEUED}}]
    response = await restricted_senders(http_request("GET", "/api/restricted-senders", headers=entra.bearer(READER)))
    assert json_of(response) == {"items": fake.blocked}


async def test_an_unexpected_failure_is_a_bare_500(fake, entra):
    fake.failure = KeyError("secret internals")
    response = await restricted_senders(http_request("GET", "/api/restricted-senders", headers=entra.bearer(READER)))
    assert response.status_code == 500 and "secret" not in problem_of(response)["detail"]
