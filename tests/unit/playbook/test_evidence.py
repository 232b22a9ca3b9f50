"""Evidence: what the account sent (the message trace) and where it signed in (the sign-in logs),
read after the sessions are revoked, never failing the job."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from remediation.errors import PermissionError_, ThrottledError
from remediation.gateways.exchange_shapes import parse_block_reason
from remediation.messages import run_message
from remediation.tenant_activity import SignIn, TracedMessage
from tests.plugins.playbook import ADELE
from tests.unit.playbook.helpers import run_job

TRACE_ID = "0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"
EVIL_SUBJECT = '<img src=x onerror="alert(1)"> Invoice'


def sent(playbook, count: int, *, minutes_apart: float = 1, subjects=("Invoice", EVIL_SUBJECT)) -> None:
    """`count` messages in the hour before the block, two recipients each at rotating domains."""
    now, user = playbook.clock(), playbook.tenant.find(ADELE)
    domains = ("a.example", "b.example", "c.example", "d.example", "e.example", "f.example", "g.example")
    for number in range(count):
        at = now - timedelta(minutes=31 + number * minutes_apart)
        for copy in range(2):
            user.sent.append(TracedMessage(at, f"r{number}-{copy}@{domains[number % len(domains)]}",
                                           subjects[number % len(subjects)], "Delivered", f"trace-{number}"))


def signed_in(playbook) -> None:
    now, user = playbook.clock(), playbook.tenant.find(ADELE)
    user.sign_ins += [
        SignIn(now - timedelta(days=20), "198.51.100.7", "US", "Redmond", "Browser"),
        SignIn(now - timedelta(days=2), "198.51.100.7", "US", "Redmond", "Browser"),
        SignIn(now - timedelta(hours=22), "203.0.113.45", "NG", "Lagos", "Browser"),
        SignIn(now - timedelta(hours=2), "203.0.113.45", "NG", "Lagos", "Authenticated SMTP"),
    ]


def with_trace_id(playbook) -> None:
    reason = f"ExceedingLimitType=ExternalRecipients;MessagetraceId={TRACE_ID};OutboundSpam"
    playbook.tenant.blocked = [replace(block, reason=reason, reason_parts=parse_block_reason(reason))
                               for block in playbook.tenant.blocked]


async def test_the_job_records_what_was_sent_and_where_the_attacker_signed_in(playbook):
    sent(playbook, 12)
    signed_in(playbook)
    with_trace_id(playbook)
    job = await run_job(playbook)

    assert job.status == "awaiting_release"
    what = job.evidence["sent"]
    assert (what["available"], what["messages"], what["recipients"], what["rows"], what["cut"]) == (
        True, 12, 24, 24, False)
    assert what["messageTraceId"] == TRACE_ID
    assert what["topRecipientDomains"][:2] == [{"domain": "a.example", "count": 4}, {"domain": "b.example", "count": 4}]
    assert len(what["topRecipientDomains"]) == 5
    assert what["topSubjects"] == [{"subject": EVIL_SUBJECT, "count": 6}, {"subject": "Invoice", "count": 6}]
    assert (what["first"], what["last"]) == ("2026-11-28T07:18:00Z", "2026-11-28T07:29:00Z")
    where = job.evidence["signIns"]
    assert where["available"] and where["signIns"] == 3
    assert [(ip["ip"], ip["country"], ip["city"], ip["count"]) for ip in where["ips"]] == [
        ("198.51.100.7", "US", "Redmond", 1), ("203.0.113.45", "NG", "Lagos", 2)]
    assert {app["app"]: app["legacy"] for app in where["clientApps"]} == {"Browser": False, "Authenticated SMTP": True}
    assert where["newCountries"] == ["NG"]
    assert job.to_json()["evidence"] == job.evidence


async def test_the_mail_shows_the_evidence_with_the_attackers_subjects_as_text(playbook):
    sent(playbook, 3)
    signed_in(playbook)
    await run_job(playbook)
    body = playbook.tenant.outbox[0]["body"]
    assert "<h3>Evidence</h3>" in body and "3 messages to 6 distinct recipients" in body
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Invoice" in body and "<img" not in body
    assert "Authenticated SMTP (1) LEGACY" in body and "Countries not seen in the 30 days before: NG" in body


async def test_evidence_subjects_false_leaves_the_subjects_out(playbook):
    playbook.settings = replace(playbook.settings, evidence_subjects=False)
    sent(playbook, 3)
    job = await run_job(playbook)
    assert job.evidence["sent"]["topSubjects"] is None and job.evidence["sent"]["messages"] == 3
    assert "Invoice" not in playbook.tenant.outbox[0]["body"]


async def test_nothing_sent_and_no_sign_ins_is_evidence_too(playbook):
    job = await run_job(playbook)
    what, where = job.evidence["sent"], job.evidence["signIns"]
    assert (what["messages"], what["recipients"], what["first"], what["topRecipientDomains"]) == (0, 0, None, [])
    assert (where["signIns"], where["ips"], where["newCountries"], where["first"]) == (0, [], [], None)


async def test_a_trace_longer_than_the_limit_is_cut_and_says_so(playbook):
    sent(playbook, 2501, minutes_apart=0.01)   # 5,002 rows
    job = await run_job(playbook)
    what = job.evidence["sent"]
    assert (what["rows"], what["cut"], what["limit"]) == (5000, True, 5000)
    assert "cut at the first 5,000 trace rows" in playbook.tenant.outbox[0]["body"]


async def test_without_entra_id_p1_the_sign_ins_are_not_available_and_the_job_runs_on(playbook):
    playbook.tenant.premium = False
    job = await run_job(playbook)
    assert job.status == "awaiting_release"
    where = job.evidence["signIns"]
    assert where["available"] is False
    assert where["reason"].startswith("not available: the tenant lacks the licence")
    assert "Entra ID P1" in where["reason"] and job.evidence["sent"]["available"]


async def test_a_withheld_permission_or_throttling_is_recorded_and_never_fails_the_job(playbook):
    playbook.tenant.fail_next("sign_ins", PermissionError_("Insufficient privileges to complete the operation.",
                                                           service="graph", permission="AuditLog.Read.All"))
    playbook.tenant.fail_next("message_trace", ThrottledError("Too many requests", service="exchange"))
    job = await run_job(playbook)
    assert job.status == "awaiting_release" and job.step("notify").status == "done"
    assert job.evidence["signIns"]["reason"].startswith("not available: the app lacks the permission")
    assert "AuditLog.Read.All" in job.evidence["signIns"]["reason"]
    assert job.evidence["sent"] == {"available": False,
                                    "reason": "not available: the read failed: exchange: Too many requests"}


async def test_evidence_is_read_after_the_sessions_are_revoked(playbook):
    await run_job(playbook)
    calls = [name for name, _ in playbook.tenant.calls]
    assert calls.index("revoke_sessions") < min(calls.index("message_trace"), calls.index("sign_ins"))
    assert calls.index("message_trace") < calls.index("send_mail")


async def test_a_dry_run_reads_the_evidence_too(playbook):
    sent(playbook, 2)
    job = await run_job(playbook, mode="dry-run")
    assert job.status == "planned" and job.evidence["sent"]["messages"] == 2


async def test_a_redelivered_run_does_not_read_the_evidence_again(playbook):
    job = await run_job(playbook)
    await playbook.service.worker.handle(run_message(job.id), 2, 5)
    assert playbook.tenant.count("message_trace") == 1 and playbook.tenant.count("sign_ins") == 1
