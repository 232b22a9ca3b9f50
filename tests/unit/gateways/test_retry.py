"""The retry transport: Retry-After in every form, back-off, the bounded wait, idempotency."""

from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest

from remediation.gateways.http import IDEMPOTENT, RetryPolicy, RetryTransport, http_client, retry_after_seconds

NOW = datetime(2026, 11, 28, 7, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("header, seconds", [
    ("10", 10.0), ("2.128", 2.128), (" 0 ", 0.0), ("Sat, 28 Nov 2026 07:00:05 GMT", 5.0),
    ("Sat, 28 Nov 2026 06:59:00 GMT", 0.0), ("-3", 0.0), (None, None), ("", None), ("soon", None),
    ("inf", None), ("nan", None),
])
def test_retry_after_is_read_as_seconds(header, seconds):
    assert retry_after_seconds(header, NOW) == seconds


def client_for(service, retry):
    return http_client(RetryTransport(retry, service.transport))


async def test_a_decimal_retry_after_is_waited_exactly_then_the_request_succeeds(service, retry, sleeps):
    service.reply(httpx.Response(429, headers={"Retry-After": "2.128"}), httpx.Response(200, json={"ok": 1}))
    async with client_for(service, retry) as client:
        response = await client.get("https://graph.microsoft.com/v1.0/users/x")
    assert response.status_code == 200 and response.json() == {"ok": 1}
    assert sleeps == [2.128] and len(service.requests) == 2


async def test_an_http_date_retry_after_is_waited_until_that_moment(service, sleeps):
    retry = RetryPolicy(sleep=sleeps, clock=lambda: NOW)
    service.reply(httpx.Response(503, headers={"Retry-After": "Sat, 28 Nov 2026 07:00:04 GMT"}), httpx.Response(200))
    async with client_for(service, retry) as client:
        assert (await client.get("https://outlook.office365.com/x")).status_code == 200
    assert sleeps == [4.0]


async def test_without_retry_after_the_back_off_grows_with_jitter(service, retry, sleeps):
    service.reply(httpx.Response(503), httpx.Response(504), httpx.Response(503), httpx.Response(200))
    async with client_for(service, retry) as client:
        assert (await client.get("https://graph.microsoft.com/v1.0/x")).status_code == 200
    assert len(sleeps) == 3
    for attempt, wait in enumerate(sleeps):
        step = retry.backoff_base * 2 ** attempt
        assert step / 2 <= wait <= step
    assert len(set(sleeps)) == 3


async def test_the_total_wait_is_bounded_and_the_last_answer_surfaces(service, sleeps):
    retry = RetryPolicy(max_wait=5.0, sleep=sleeps)
    service.reply(httpx.Response(429, headers={"Retry-After": "2"}, json={"n": 1}))
    async with client_for(service, retry) as client:
        response = await client.get("https://graph.microsoft.com/v1.0/x")
    assert response.status_code == 429 and response.json() == {"n": 1}
    assert sleeps == [2.0, 2.0]          # a third wait would pass the 5 s budget
    assert len(service.requests) == 3


async def test_a_retry_after_beyond_the_budget_is_not_waited_at_all(service, retry, sleeps):
    service.reply(httpx.Response(429, headers={"Retry-After": "120"}))
    async with client_for(service, retry) as client:
        assert (await client.get("https://graph.microsoft.com/v1.0/x")).status_code == 429
    assert sleeps == [] and len(service.requests) == 1


async def test_attempts_are_capped_even_when_the_service_asks_for_no_wait(service, sleeps):
    retry = RetryPolicy(max_attempts=4, sleep=sleeps)
    service.reply(httpx.Response(429, headers={"Retry-After": "0"}))
    async with client_for(service, retry) as client:
        assert (await client.get("https://graph.microsoft.com/v1.0/x")).status_code == 429
    assert len(service.requests) == 4 and sleeps == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("status", [200, 204, 400, 401, 403, 404, 409, 500, 502])
async def test_other_statuses_are_not_retried(service, retry, sleeps, status):
    service.reply(httpx.Response(status))
    async with client_for(service, retry) as client:
        assert (await client.get("https://graph.microsoft.com/v1.0/x")).status_code == status
    assert sleeps == [] and len(service.requests) == 1


async def test_a_dropped_connection_is_retried_for_an_idempotent_request(service, retry, sleeps):
    service.reply(httpx.RemoteProtocolError("Server disconnected without sending a response."), httpx.Response(200))
    async with client_for(service, retry) as client:
        assert (await client.get("https://graph.microsoft.com/v1.0/x")).status_code == 200
    assert len(sleeps) == 1


async def test_connection_errors_surface_once_the_budget_is_spent(service, sleeps):
    retry = RetryPolicy(max_wait=1.0, sleep=sleeps)
    service.reply(httpx.ReadTimeout("read timed out"))
    async with client_for(service, retry) as client:
        with pytest.raises(httpx.ReadTimeout, match="^read timed out$"):
            await client.get("https://graph.microsoft.com/v1.0/x")
    assert 0 < sum(sleeps) <= 1.0 and len(service.requests) == len(sleeps) + 1


@pytest.mark.parametrize("status", [503, 504])
async def test_a_post_answered_by_an_outage_is_not_repeated(service, retry, sleeps, status):
    service.reply(httpx.Response(status), httpx.Response(202))
    async with client_for(service, retry) as client:
        assert (await client.post("https://graph.microsoft.com/v1.0/users/a/sendMail", json={})).status_code == status
    assert len(service.requests) == 1 and sleeps == []


@pytest.mark.parametrize("error, message", [(httpx.RemoteProtocolError, "Server disconnected"),
                                            (httpx.ReadTimeout, "slow")])
async def test_a_post_whose_connection_failed_surfaces_that_failure_once(service, retry, sleeps, error, message):
    service.reply(error(message), httpx.Response(202))
    async with client_for(service, retry) as client:
        with pytest.raises(error, match=f"^{message}$"):
            await client.post("https://graph.microsoft.com/v1.0/users/a/sendMail", json={})
    assert len(service.requests) == 1 and sleeps == []


@pytest.mark.parametrize("answer", [httpx.Response(429, headers={"Retry-After": "1"}), httpx.ConnectError("refused")])
async def test_a_post_the_service_never_processed_is_repeated(service, retry, answer):
    service.reply(answer, httpx.Response(202))
    async with client_for(service, retry) as client:
        response = await client.post("https://graph.microsoft.com/v1.0/users/a/sendMail", json={"m": 1})
    assert response.status_code == 202
    assert [request.content for request in service.requests] == [b'{"m":1}'] * 2


async def test_a_post_marked_idempotent_is_retried_like_a_get(service, retry):
    service.reply(httpx.Response(503), httpx.Response(200))
    async with client_for(service, retry) as client:
        request = client.build_request("POST", "https://outlook.office365.com/x", json={},
                                       extensions={IDEMPOTENT: True})
        assert (await client.send(request)).status_code == 200
    assert len(service.requests) == 2


async def test_redirects_are_never_followed(service, retry):
    service.reply(httpx.Response(302, headers={"Location": "https://evil.example/steal"}))
    async with client_for(service, retry) as client:
        assert (await client.get("https://manage.office.com/x")).status_code == 302
    assert [str(request.url) for request in service.requests] == ["https://manage.office.com/x"]
