"""Decisions and audit entries: typed in the domain, exactly today's shapes in the job JSON."""

from remediation.models import Job, Trigger
from remediation.records import Decision, Identity

DECISIONS = [
    {"at": "2026-11-28T07:00:00Z", "by": "restricted-sender-responder (app)", "decision": "hold",
     "comment": "the circuit breaker is open", "breaker": True},
    {"at": "2026-11-28T07:05:00Z", "by": "ciso@contoso.com (8b6a1a1c-0000-4000-8000-000000000001)",
     "decision": "approve", "comment": ""},
    {"at": "2026-11-28T07:06:00Z", "by": "restricted-sender-responder (app)", "decision": "dry-run",
     "comment": "REMEDIATION_MODE is dry-run now"},
]
AUDIT = [
    {"at": "2026-11-28T07:05:00Z", "actor": "ciso@contoso.com (8b6a1a1c-0000-4000-8000-000000000001)",
     "action": "approve", "target": "adele@contoso.com", "why": "approve by an admin", "result": "queued"},
    {"at": "2026-11-28T07:07:00Z", "actor": "restricted-sender-responder (app)", "action": "reset password",
     "target": "adele@contoso.com", "why": "the account sent spam", "result": "failed: graph: denied"},
]


def test_stored_decisions_and_audit_come_back_typed_and_go_out_unchanged():
    job = Job(id="rj-1", user="adele@contoso.com", status="queued", mode="enforce", trigger=Trigger("sweep"),
              createdAt="2026-11-28T07:00:00Z", updatedAt="2026-11-28T07:00:00Z")
    stored = {**job.to_json(), "decisions": DECISIONS, "audit": AUDIT}
    read = Job.from_json(stored)
    assert read.decisions[0] == Decision("2026-11-28T07:00:00Z", "restricted-sender-responder (app)", "hold",
                                         "the circuit breaker is open", True)
    assert read.decisions[1].breaker is None and read.audit[1].result == "failed: graph: denied"
    assert read.to_json()["decisions"] == DECISIONS and read.to_json()["audit"] == AUDIT


def test_an_identity_is_recorded_as_name_and_object_id():
    assert str(Identity("ciso@contoso.com", "8b6a")) == "ciso@contoso.com (8b6a)"
    assert [str(Identity("ciso@contoso.com")), str(Identity(object_id="8b6a"))] == ["ciso@contoso.com", "8b6a"]
