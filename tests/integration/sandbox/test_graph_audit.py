"""The sandbox's sign-in logs: the documented filter, Entra ID P1, and AuditLog.Read.All."""

from __future__ import annotations

import pytest

ADELE = "5f1c7a2e-3b4d-4e8f-9a01-2b3c4d5e6f70"


def test_sign_ins_are_filtered_by_user_and_time_newest_first(sandbox_graph):
    body = sandbox_graph.get("/auditLogs/signIns", params={
        "$filter": f"userId eq '{ADELE}' and createdDateTime ge 2020-01-01T00:00:00Z"}).json()
    assert body["@odata.context"].endswith("$metadata#auditLogs/signIns")
    created = [item["createdDateTime"] for item in body["value"]]
    assert len(created) == 5 and created == sorted(created, reverse=True)
    newest = body["value"][0]
    assert (newest["userId"], newest["ipAddress"], newest["clientAppUsed"], newest["location"]["countryOrRegion"]) == (
        ADELE, "203.0.113.45", "Authenticated SMTP", "NG")


@pytest.mark.parametrize(("change", "code"), [
    ({"graph": {"pageSize": 100, "premium": False}}, "Authentication_RequestFromNonPremiumTenantOrB2CTenant"),
    ({"permissions": {"withheld": ["AuditLog.Read.All"]}}, "Authorization_RequestDenied"),
])
def test_without_the_licence_or_the_permission_it_is_403(sandbox, sandbox_graph, change, code):
    sandbox.load({**sandbox.scenario(), **change})
    response = sandbox_graph.get("/auditLogs/signIns")
    assert response.status_code == 403 and response.json()["error"]["code"] == code


def test_a_quoted_time_is_graphs_type_error(sandbox_graph):
    response = sandbox_graph.get("/auditLogs/signIns", params={"$filter": "createdDateTime ge '2026-01-01'"})
    assert response.status_code == 400 and "incompatible types" in response.json()["error"]["message"]
