"""The sandbox's Get-MessageTraceV2: Microsoft's limits, its continuation, and the demo's generated spam."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

ADELE = "adele@contoso.com"
DEMO = Path(__file__).resolve().parents[3] / "localdev" / "scenarios" / "demo.yaml"


@pytest.fixture
def exchange(sandbox):
    with httpx.Client(base_url=f"{sandbox.url}/adminapi/beta/{sandbox.tenant_id}", timeout=10) as client:
        yield client


def trace(exchange: httpx.Client, **parameters) -> httpx.Response:
    body = {"CmdletInput": {"CmdletName": "Get-MessageTraceV2", "Parameters": parameters}}
    return exchange.post("/InvokeCommand", json=body)


def ago(**delta: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(**delta)).isoformat()


def test_a_row_has_the_documented_fields(exchange):
    rows = trace(exchange, SenderAddress=ADELE, StartDate=ago(hours=48), EndDate=ago()).json()["value"]
    assert {"Organization", "MessageId", "Received", "SenderAddress", "RecipientAddress", "Subject", "Status",
            "ToIP", "FromIP", "Size", "MessageTraceId"} <= set(rows[0])
    assert rows[0]["RecipientAddress"] == "d1@mail.example" and rows[0]["SenderAddress"] == ADELE
    same_message = {row["MessageTraceId"] for row in rows if row["Subject"] == "Invoice #4471 overdue"}
    assert len(same_message) == 1   # one message to three recipients: three rows, one trace id


def test_the_next_query_starts_after_the_last_recipient_at_the_last_time(exchange):
    first = trace(exchange, SenderAddress=ADELE, StartDate=ago(hours=48), EndDate=ago(), ResultSize=4).json()["value"]
    last = first[-1]
    rest = trace(exchange, SenderAddress=ADELE, StartDate=ago(hours=48), EndDate=last["Received"],
                 StartingRecipientAddress=last["RecipientAddress"], ResultSize=4).json()["value"]
    assert [row["RecipientAddress"] for row in first + rest][3:] == [
        "a1@mailbox.example", "a2@inbox.example", "a3@inbox.example"]


@pytest.mark.parametrize(("parameters", "message"), [
    ({"ResultSize": 5001}, "must be between 1 and 5000"),
    ({"ResultSize": 0}, "must be between 1 and 5000"),
    ({"StartDate": ago(days=12)}, "query at most 10 days at a time"),
    ({"StartDate": ago(days=95), "EndDate": ago(days=91)}, "older than 90 days"),
    ({"RecipientAddress": "x@mail.example"}, "RecipientAddress"),
])
def test_what_microsoft_refuses_is_refused(exchange, parameters, message):
    response = trace(exchange, SenderAddress=ADELE, **parameters)
    assert response.status_code >= 400 and message in response.text


def test_the_demo_user_sent_a_few_hundred_spam_messages_the_same_every_time(sandbox, exchange):
    sandbox.load(DEMO)
    runs = []
    for _ in range(2):
        rows = trace(exchange, SenderAddress=ADELE, StartDate=ago(hours=48), EndDate=ago(), ResultSize=5000)
        runs.append([(row["RecipientAddress"], row["Subject"]) for row in rows.json()["value"]])
    assert runs[0] == runs[1]
    assert 300 <= len(runs[0]) <= 900 and len({subject for _, subject in runs[0]}) == 6
