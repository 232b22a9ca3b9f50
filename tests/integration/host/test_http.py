"""HTTP triggers through the local host: routes, methods, auth levels, errors, outputs."""

from __future__ import annotations

import base64
import logging
import uuid

import httpx
import pytest
from azure.storage.queue.aio import QueueClient

from tests.integration.host.apps import http_app
from tests.integration.host.support import Calls, queue_texts

KEYS = {"FUNCTIONS_MASTER_KEY": "master-key", "FUNCTIONS_KEY": "host-key", "FUNCTION_KEY_KEYED": "keyed-key"}


@pytest.fixture
async def served(local_host, storage_env):
    calls = Calls()
    settings = {**storage_env, **KEYS, "OUTPUT_QUEUE": storage_env["REMEDIATION_QUEUE"]}
    host = await local_host(http_app.build(calls), settings)
    async with httpx.AsyncClient(base_url=host.url) as client:
        yield client, calls, settings


async def test_route_parameters_query_headers_and_body_reach_the_function(served):
    client, _, _ = served
    item = str(uuid.uuid4())
    response = await client.post(f"/api/items/{item}", params={"a": "1"}, headers={"X-Test": "yes"}, content=b"hello")
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-item"] == item
    seen = response.json()
    assert seen["method"] == "POST" and seen["route"] == {"id": item} and seen["query"] == {"a": "1"}
    assert seen["header"] == "yes" and seen["body"] == "hello"
    assert seen["url"].endswith(f"/api/items/{item}?a=1")


async def test_methods_outside_the_list_are_not_found(served):
    client, _, _ = served
    assert (await client.get("/api/enqueue")).status_code == 404
    assert (await client.put("/api/enqueue")).status_code == 404


async def test_a_method_a_route_does_not_take_falls_through_to_the_next_route(served):
    client, _, _ = served
    item = str(uuid.uuid4())
    assert (await client.delete(f"/api/items/{item}")).text == f"named {item}"


async def test_literal_beats_constrained_beats_plain_parameter(served):
    client, _, _ = served
    assert (await client.get("/api/items/special")).text == "special"
    assert (await client.get(f"/api/items/{uuid.uuid4()}")).headers["content-type"] == "application/json"
    assert (await client.get("/api/items/Widget")).text == "named Widget"


async def test_the_prefix_and_literal_segments_match_in_any_case(served):
    client, _, _ = served
    assert (await client.get("/API/Items/SPECIAL")).text == "special"


async def test_optional_route_parameter(served):
    client, _, _ = served
    assert (await client.get("/api/pages")).text == "index"
    assert (await client.get("/api/pages/about")).text == "about"


async def test_unknown_routes_are_not_found(served):
    client, _, _ = served
    assert (await client.get("/api/nowhere")).status_code == 404
    assert (await client.get("/keyed")).status_code == 404


@pytest.mark.parametrize(("key", "status"), [
    (None, 401), ("wrong", 401), ("keyed-key", 200), ("host-key", 200), ("master-key", 200)])
async def test_function_level_needs_a_function_host_or_master_key(served, key, status):
    client, _, _ = served
    assert (await client.get("/api/keyed", params={"code": key} if key else None)).status_code == status
    if key:
        response = await client.get("/api/keyed", headers={"x-functions-key": key})
        assert response.status_code == status
        assert status != 200 or response.text == "keyed ok"


@pytest.mark.parametrize(("key", "status"), [(None, 401), ("host-key", 401), ("keyed-key", 401), ("master-key", 200)])
async def test_admin_level_needs_the_master_key(served, key, status):
    client, _, _ = served
    assert (await client.get("/api/admin-only", headers={"x-functions-key": key} if key else {})).status_code == status


async def test_function_level_without_any_configured_key_refuses_everyone(local_host, storage_env, caplog):
    with caplog.at_level(logging.WARNING):
        host = await local_host(http_app.build(Calls()), {**storage_env, "OUTPUT_QUEUE": "unused"})
    assert ("No key is set for 'keyed' (auth level function), so every call is refused: set one of "
            "FUNCTIONS_MASTER_KEY, FUNCTIONS_KEY, FUNCTION_KEY_KEYED") in caplog.text
    async with httpx.AsyncClient(base_url=host.url) as client:
        assert (await client.get("/api/keyed")).status_code == 401
        assert (await client.get("/api/keyed", params={"code": ""})).status_code == 401


async def test_an_exception_is_a_500_without_its_details_but_logged(served, caplog):
    client, _, _ = served
    with caplog.at_level(logging.INFO):
        response = await client.get("/api/boom")
    assert response.status_code == 500
    assert response.content == b""
    failed = [r for r in caplog.records if r.getMessage().startswith("Executed 'Functions.boom' (Failed")]
    assert failed and "secret detail from the function" in str(failed[0].exc_info[1])


async def test_returning_nothing_is_a_500(served):
    client, _, _ = served
    assert (await client.get("/api/nothing")).status_code == 500


async def test_a_sync_function_runs_on_a_thread(served):
    client, calls, _ = served
    response = await client.get("/api/sync")
    assert response.status_code == 200 and response.text == "sync ok"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert calls.items[0]["main"] is False


async def test_a_context_parameter_gets_the_invocation(served, caplog):
    client, _, _ = served
    with caplog.at_level(logging.INFO):
        name, invocation_id = (await client.get("/api/whoami")).text.split()
    assert name == "whoami"
    assert any("Executing 'Functions.whoami'" in r.getMessage() and invocation_id in r.getMessage()
               for r in caplog.records)


async def test_a_queue_output_binding_sends_a_base64_message(served):
    client, _, settings = served
    assert (await client.post("/api/enqueue", content=b'{"job": 1}')).status_code == 202
    async with QueueClient.from_connection_string(settings["AzureWebJobsStorage"], settings["OUTPUT_QUEUE"]) as queue:
        texts = await queue_texts(queue)
    assert [base64.b64decode(text) for text in texts] == [b'{"job": 1}']


async def test_route_prefix_from_host_json(local_host, storage_env):
    host = await local_host(http_app.build(Calls()), {**storage_env, "OUTPUT_QUEUE": "unused"},
                            {"extensions": {"http": {"routePrefix": ""}}})
    async with httpx.AsyncClient(base_url=host.url) as client:
        assert (await client.get("/pages/about")).text == "about"
        assert (await client.get("/api/pages/about")).status_code == 404
