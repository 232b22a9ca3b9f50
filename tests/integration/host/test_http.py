"""HTTP triggers through the local host: routes, methods, the function key, errors."""

from __future__ import annotations

import logging
import uuid

import httpx
import pytest

from tests.integration.host.apps import http_app

KEY = {"FUNCTIONS_KEY": "host-key"}


@pytest.fixture
async def client(local_host):
    host = await local_host(http_app.build(), KEY)
    async with httpx.AsyncClient(base_url=host.url) as client:
        yield client


async def test_route_parameters_query_headers_and_body_reach_the_function(client):
    item = str(uuid.uuid4())
    response = await client.post(f"/api/items/{item}", params={"a": "1"}, headers={"X-Test": "yes"}, content=b"hello")
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-item"] == item
    seen = response.json()
    assert seen["method"] == "POST" and seen["route"] == {"id": item} and seen["query"] == {"a": "1"}
    assert seen["header"] == "yes" and seen["body"] == "hello"
    assert seen["url"].endswith(f"/api/items/{item}?a=1")


async def test_methods_outside_the_list_are_not_found(client):
    assert (await client.put("/api/items/1")).status_code == 404
    assert (await client.post("/api/boom")).status_code == 404


async def test_a_parameter_takes_any_percent_encoded_character_newlines_included(client):
    # aiohttp's own router would answer its text/plain 404 for a decoded newline (`.` stops at one).
    response = await client.delete("/api/items/a%5C%0Ab%C2%B3")
    assert response.status_code == 200
    assert response.text == "deleted a\\\nb\u00b3"


async def test_a_method_a_route_does_not_take_falls_through_to_the_next_route(client):
    assert (await client.delete("/api/items/widget")).text == "deleted widget"


async def test_a_literal_segment_beats_a_parameter_whatever_the_order_of_registration(client):
    assert (await client.get("/api/items/special")).text == "special"
    assert (await client.get("/api/items/other")).json()["route"] == {"id": "other"}


async def test_the_prefix_and_literal_segments_match_in_any_case(client):
    assert (await client.get("/API/Items/SPECIAL")).text == "special"


async def test_unknown_routes_are_not_found(client):
    assert (await client.get("/api/nowhere")).status_code == 404
    assert (await client.get("/api/items")).status_code == 404
    assert (await client.get("/keyed")).status_code == 404


@pytest.mark.parametrize(("key", "status"), [(None, 401), ("", 401), ("wrong", 401), ("host-key", 200)])
async def test_function_level_needs_the_functions_key_in_the_query_or_the_header(client, key, status):
    assert (await client.get("/api/keyed", params=None if key is None else {"code": key})).status_code == status
    response = await client.get("/api/keyed", headers={} if key is None else {"x-functions-key": key})
    assert response.status_code == status
    assert status != 200 or response.text == "keyed ok"


async def test_function_level_without_the_key_set_refuses_everyone(local_host, caplog):
    with caplog.at_level(logging.WARNING):
        host = await local_host(http_app.build(), {})
    assert "No key is set for 'keyed' (auth level function), so every call is refused: set FUNCTIONS_KEY" in caplog.text
    async with httpx.AsyncClient(base_url=host.url) as client:
        assert (await client.get("/api/keyed")).status_code == 401
        assert (await client.get("/api/keyed", params={"code": ""})).status_code == 401


async def test_an_exception_is_a_500_without_its_details_but_logged(client, caplog):
    with caplog.at_level(logging.INFO):
        response = await client.get("/api/boom")
    assert response.status_code == 500
    assert response.content == b""
    failed = [r for r in caplog.records if r.getMessage().startswith("Executed 'Functions.boom' (Failed")]
    assert failed and "secret detail from the function" in str(failed[0].exc_info[1])


async def test_returning_nothing_is_a_500(client):
    assert (await client.get("/api/nothing")).status_code == 500


async def test_a_str_is_a_200_in_plain_text(client):
    response = await client.get("/api/items/special")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


async def test_route_prefix_from_host_json(local_host):
    host = await local_host(http_app.build(), KEY, {"extensions": {"http": {"routePrefix": ""}}})
    async with httpx.AsyncClient(base_url=host.url) as client:
        assert (await client.get("/items/special")).text == "special"
        assert (await client.get("/api/items/special")).status_code == 404
