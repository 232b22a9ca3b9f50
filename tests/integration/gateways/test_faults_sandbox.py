"""The one retry policy against the sandbox's faults: throttling, outages and dropped connections."""

from __future__ import annotations

import random

import pytest

from remediation.errors import ThrottledError, TransientError
from remediation.gateways.exchange import ExchangeAdminClient
from remediation.gateways.graph import GraphDirectory
from remediation.gateways.http import RetryPolicy

ADELE = "5f1c7a2e-3b4d-4e8f-9a01-2b3c4d5e6f70"


def statuses(sandbox, path_part: str, cmdlet: str | None = None) -> list:
    return [entry["status"] for entry in sandbox.requests()
            if path_part in entry["path"] and (cmdlet is None or entry.get("cmdlet") == cmdlet)]


@pytest.fixture
def tight_retry(sleeps) -> RetryPolicy:
    """A 1-second budget, so an outage surfaces after a few attempts."""
    return RetryPolicy(max_wait=1.0, sleep=sleeps, rng=random.Random(3))


async def test_graph_throttling_with_a_decimal_retry_after_is_waited_out(sandbox, sandbox_directory, sleeps):
    sandbox.fault(kind="429", path="/users/", method="GET", retryAfter="2.128", count=1)
    assert (await sandbox_directory.get_user("adele@contoso.com")).id == ADELE
    assert sleeps == [2.128] and statuses(sandbox, "/v1.0/users/") == [429, 200]


async def test_exchange_throttling_of_one_cmdlet_is_waited_out(sandbox, sandbox_exchange, sleeps):
    sandbox.fault(kind="429", cmdlet="Get-BlockedSenderAddress", retryAfter="2.128", count=1)
    assert len(await sandbox_exchange.blocked_senders()) == 5
    assert sleeps == [2.128] and statuses(sandbox, "InvokeCommand") == [429, 200]


async def test_throttling_longer_than_the_budget_surfaces_with_the_wait(sandbox, sandbox_directory, sleeps):
    sandbox.fault(kind="429", path="/domains", retryAfter="45", count=1)
    with pytest.raises(ThrottledError, match=r"^graph: .*\(TooManyRequests\)$") as caught:
        await sandbox_directory.domains()
    assert caught.value.retry_after == 45 and sleeps == []


async def test_a_short_outage_is_ridden_out(sandbox, sandbox_directory, sleeps):
    sandbox.fault(kind="503", path="/authentication/methods", count=2)
    assert len(await sandbox_directory.auth_methods(ADELE)) == 3
    assert len(sleeps) == 2 and statuses(sandbox, "/authentication/methods") == [503, 503, 200]


async def test_503_for_the_next_five_calls_is_transient_after_the_bounded_wait(sandbox, sandbox_settings, tight_retry,
                                                                            sleeps):
    sandbox.fault(kind="503", path="/messageRules", count=5)
    directory = GraphDirectory(sandbox_settings, retry=tight_retry)
    with pytest.raises(TransientError, match=r"^graph: .*\(serviceNotAvailable\)$"):
        await directory.inbox_rules(ADELE)
    await directory.aclose()
    attempts = statuses(sandbox, "/messageRules")
    assert set(attempts) == {503} and len(attempts) == len(sleeps) + 1 and 0 < sum(sleeps) <= 1.0


async def test_a_504_on_exchange_is_retried_for_a_read(sandbox, sandbox_exchange, sleeps):
    sandbox.fault(kind="504", cmdlet="Get-InboxRule", count=1)
    assert len(await sandbox_exchange.inbox_rules("adele@contoso.com")) == 3
    assert len(sleeps) == 1


@pytest.mark.parametrize("service", ["graph", "exchange"])
async def test_dropped_connections_become_transient(sandbox, sandbox_settings, tight_retry, sleeps, service):
    if service == "graph":
        sandbox.fault(kind="drop", path="/users/")
        gateway = GraphDirectory(sandbox_settings, retry=tight_retry)
        call = gateway.get_user("adele@contoso.com")
    else:
        sandbox.fault(kind="drop", cmdlet="Get-Mailbox")
        gateway = ExchangeAdminClient(sandbox_settings, retry=tight_retry)
        call = gateway.mailbox_forwarding("adele@contoso.com")
    with pytest.raises(TransientError, match="connection failed"):
        await call
    await gateway.aclose()
    assert len(sleeps) >= 1 and sum(sleeps) <= 1.0


async def test_a_mail_is_not_sent_twice_after_an_outage_answer(sandbox, sandbox_directory, sleeps):
    sandbox.fault(kind="503", path="/sendMail", count=1)
    with pytest.raises(TransientError, match=r"^graph: .*\(serviceNotAvailable\)$"):
        await sandbox_directory.send_mail("secops@contoso.com", ["soc@contoso.com"], "s", "b")
    assert statuses(sandbox, "/sendMail") == [503] and sleeps == []


async def test_an_unblock_is_not_repeated_after_a_dropped_connection(sandbox, sandbox_exchange, sleeps):
    sandbox.fault(kind="drop", cmdlet="Remove-BlockedSenderAddress", count=1)
    with pytest.raises(TransientError, match="^exchange: connection failed: RemoteProtocolError"):
        await sandbox_exchange.unblock("adele@contoso.com")
    assert len(statuses(sandbox, "InvokeCommand", "Remove-BlockedSenderAddress")) == 1 and sleeps == []


async def test_an_unblock_is_repeated_after_throttling(sandbox, sandbox_exchange, sleeps):
    sandbox.fault(kind="429", cmdlet="Remove-BlockedSenderAddress", retryAfter="1.5", count=1)
    await sandbox_exchange.unblock("adele@contoso.com")
    assert sleeps == [1.5] and sandbox.state()["unblocks"] == {"adele@contoso.com": 1}


async def test_latency_below_the_timeout_is_only_slower(sandbox, sandbox_directory, sleeps):
    sandbox.fault(kind="latency", path="/domains", latencyMs=150, count=1)
    assert len(await sandbox_directory.domains()) == 3 and sleeps == []
