"""Every Directory method against the sandbox tenant, asserting on what the tenant holds afterwards."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from remediation.errors import NotFoundError, PermissionError_, ServiceRejectedError
from tests.plugins.gateways import scenario_with

ADELE = "5f1c7a2e-3b4d-4e8f-9a01-2b3c4d5e6f70"
EXECUTIVES = "c4a8e1f2-9b3d-4e5f-a6b7-c8d9e0f1a2b3"
PASSWORD = "Xq7!vK2#pL9@wZ4$"


def graph_calls(sandbox, method: str, path_end: str) -> list[dict]:
    return [entry for entry in sandbox.requests() if entry["method"] == method and entry["path"].endswith(path_end)]


async def test_get_user_by_upn_reads_the_sign_in_properties(sandbox_directory):
    adele = await sandbox_directory.get_user("adele@contoso.com")
    assert (adele.id, adele.user_principal_name, adele.mail, adele.display_name) == \
        (ADELE, "adele@contoso.com", "adele@contoso.com", "Adele Vance")
    assert adele.account_enabled is True and adele.on_premises_sync_enabled is None
    assert (await sandbox_directory.get_user("lee@contoso.com")).on_premises_sync_enabled is True


async def test_an_unknown_user_is_not_found(sandbox_directory):
    with pytest.raises(NotFoundError, match="does not exist") as caught:
        await sandbox_directory.get_user("nobody@contoso.com")
    assert caught.value.code == "Request_ResourceNotFound"


async def test_domains_tell_federated_from_managed(sandbox_directory):
    domains = {domain.id: domain.federated for domain in await sandbox_directory.domains()}
    assert domains == {"contoso.com": False, "contoso.onmicrosoft.com": False, "fabrikam.com": True}


async def test_reset_password_is_recorded_with_a_forced_change(sandbox, sandbox_directory):
    await sandbox_directory.reset_password(ADELE, PASSWORD)
    changes = sandbox.user(ADELE)["passwordChanges"]
    assert len(changes) == 1 and changes[0]["forceChangePasswordNextSignIn"] is True


async def test_a_synced_users_password_is_refused_in_graphs_words(sandbox, sandbox_directory):
    with pytest.raises(ServiceRejectedError, match="on-premises mastered Directory Sync objects"):
        await sandbox_directory.reset_password("lee@contoso.com", PASSWORD)
    assert sandbox.user("lee@contoso.com")["passwordChanges"] == []


async def test_a_weak_password_is_refused(sandbox_directory):
    with pytest.raises(ServiceRejectedError, match="password complexity"):
        await sandbox_directory.reset_password(ADELE, "password")


async def test_revoke_sessions_is_recorded(sandbox, sandbox_directory):
    await sandbox_directory.revoke_sessions(ADELE)
    assert len(sandbox.user(ADELE)["revocations"]) == 1


async def test_disable_account_turns_sign_in_off(sandbox, sandbox_directory):
    await sandbox_directory.disable_account("megan@contoso.com")
    assert sandbox.user("megan@contoso.com")["accountEnabled"] is False


async def test_member_of_names_only_the_groups_the_user_is_in(sandbox_directory):
    other_group = "0f0f0f0f-0000-4000-8000-000000000000"
    assert await sandbox_directory.member_of("nestor@contoso.com", [EXECUTIVES, other_group]) == [EXECUTIVES]
    assert await sandbox_directory.member_of("megan@contoso.com", [EXECUTIVES]) == []


async def test_inbox_rules_list_the_visible_rules_and_disabling_one_returns_it(sandbox, sandbox_directory):
    rules = await sandbox_directory.inbox_rules(ADELE)
    assert [rule.id for rule in rules] == ["AQAAAJ5dZp8=", "AQAAAJ5dZqA="]    # the hidden rule is not in Graph
    forward = rules[1]
    assert [recipient.address for recipient in forward.recipients] == ["adele.vance.backup@mailbox.example"]
    disabled = await sandbox_directory.disable_inbox_rule(ADELE, forward.id)
    assert disabled == replace(forward, enabled=False)
    stored = {rule["id"]: rule["isEnabled"] for rule in sandbox.user(ADELE)["inboxRules"]}
    assert stored == {"AQAAAJ5dZp8=": True, "AQAAAJ5dZqA=": False, "AQAAAJ5dZqE=": True}


async def test_auth_methods_come_with_their_types(sandbox_directory):
    methods = await sandbox_directory.auth_methods(ADELE)
    assert [method.type for method in methods] == ["password", "phone", "microsoftAuthenticator"]   # the password too


async def test_send_mail_lands_in_the_outbox(sandbox, sandbox_directory):
    await sandbox_directory.send_mail("secops@contoso.com", ["soc@contoso.com"], "Adele Vance secured", "<p>done</p>")
    [sent] = sandbox.state()["outbox"]
    assert sent["from"] == "secops@contoso.com" and sent["recipients"] == ["soc@contoso.com"]
    assert sent["message"]["subject"] == "Adele Vance secured"


async def test_security_alerts_since_a_moment(sandbox_directory):
    now = datetime.now(timezone.utc)
    alerts = await sandbox_directory.security_alerts(now - timedelta(days=1), "microsoftDefenderForOffice365")
    assert [alert.title for alert in alerts] == ["User restricted from sending email"]
    assert alerts[0].users[0] == "adele@contoso.com"
    assert await sandbox_directory.security_alerts(now + timedelta(hours=1), "microsoftDefenderForOffice365") == []
    assert await sandbox_directory.security_alerts(now - timedelta(days=1), "microsoftDefenderForEndpoint") == []


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
