"""GraphDirectory against the sandbox tenant where the wire matters: what the requests carry, paging,
permissions. The behaviour every Directory shares is in tests/contract/test_directory.py."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from remediation.errors import PermissionError_, ServiceRejectedError
from tests.plugins.gateways import scenario_with

ADELE = "5f1c7a2e-3b4d-4e8f-9a01-2b3c4d5e6f70"
PASSWORD = "Xq7!vK2#pL9@wZ4$"


def graph_calls(sandbox, method: str, path_end: str) -> list[dict]:
    return [entry for entry in sandbox.requests() if entry["method"] == method and entry["path"].endswith(path_end)]


async def test_reset_password_is_recorded_with_a_forced_change(sandbox, sandbox_directory):
    await sandbox_directory.reset_password(ADELE, PASSWORD)
    changes = sandbox.user(ADELE)["passwordChanges"]
    assert len(changes) == 1 and changes[0]["forceChangePasswordNextSignIn"] is True


async def test_a_weak_password_is_refused(sandbox_directory):
    with pytest.raises(ServiceRejectedError, match="password complexity"):
        await sandbox_directory.reset_password(ADELE, "password")


async def test_every_page_is_followed(sandbox, sandbox_directory):
    alert = scenario_with()["alerts"][0]
    sandbox.load(scenario_with(graph={"pageSize": 1}, alerts=[{**alert, "id": f"{alert['id']}{n}"} for n in range(3)]))
    alerts = await sandbox_directory.security_alerts(datetime.now(timezone.utc) - timedelta(days=1),
                                                     "microsoftDefenderForOffice365")
    assert sorted(alert.id[-1] for alert in alerts) == ["0", "1", "2"]
    assert len(graph_calls(sandbox, "GET", "/security/alerts_v2")) == 3


async def test_a_withheld_permission_is_named(sandbox, sandbox_directory):
    sandbox.load(scenario_with(permissions={"withheld": ["User.RevokeSessions.All", "Mail.Send"]}))
    with pytest.raises(PermissionError_, match="User.RevokeSessions.All") as caught:
        await sandbox_directory.revoke_sessions(ADELE)
    assert caught.value.permission == "User.RevokeSessions.All" and caught.value.code == "Authorization_RequestDenied"
    with pytest.raises(PermissionError_, match="Mail.Send"):
        await sandbox_directory.send_mail("secops@contoso.com", ["soc@contoso.com"], "s", "b")
    assert sandbox.user(ADELE)["revocations"] == [] and sandbox.state()["outbox"] == []
