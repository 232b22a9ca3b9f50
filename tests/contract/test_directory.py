"""The Directory port's contract: each behaviour the playbook relies on, run against the fake
tenant and against GraphDirectory on the sandbox tenant (the `tenant` fixture, tests/plugins/contract.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from remediation.errors import LicenceError, NotFoundError, PermanentError, ServiceRejectedError
from remediation.models import iso, parse_iso

ADELE = "5f1c7a2e-3b4d-4e8f-9a01-2b3c4d5e6f70"
EXECUTIVES = "c4a8e1f2-9b3d-4e5f-a6b7-c8d9e0f1a2b3"
PASSWORD = "Xq7!vK2#pL9@wZ4$"
DEFENDER_FOR_OFFICE = "microsoftDefenderForOffice365"
JOHN = {"userPrincipalName": "jdoe@corp.contoso.com", "displayName": "John Doe", "mail": "john.doe@contoso.com",
        "proxyAddresses": ["SMTP:john.doe@contoso.com", "smtp:j.doe@contoso.com", "SIP:jdoe@corp.contoso.com"]}


def with_users(tenant, *users: dict) -> None:
    scenario = tenant.scenario()
    scenario["users"] += list(users)
    tenant.load(scenario)


async def test_a_user_is_found_by_upn_or_object_id_with_the_sign_in_facts(tenant):
    adele = await tenant.directory.get_user("Adele@Contoso.com")
    assert (adele.id, adele.user_principal_name, adele.mail, adele.display_name) == (
        ADELE, "adele@contoso.com", "adele@contoso.com", "Adele Vance")
    assert (adele.account_enabled, adele.on_premises_sync_enabled, adele.proxy_addresses) == (
        True, None, ("SMTP:adele@contoso.com",))
    assert (await tenant.directory.get_user(ADELE)).user_principal_name == "adele@contoso.com"
    assert (await tenant.directory.get_user("lee@contoso.com")).on_premises_sync_enabled is True


@pytest.mark.parametrize("address", ["john.doe@contoso.com", "J.Doe@Contoso.com"])
async def test_a_user_is_found_by_mail_or_smtp_proxy_address(tenant, address):
    with_users(tenant, JOHN)
    john = await tenant.directory.get_user(address)
    assert john.user_principal_name == "jdoe@corp.contoso.com"
    assert john.addresses == {"jdoe@corp.contoso.com", "john.doe@contoso.com", "j.doe@contoso.com"}


async def test_an_address_of_two_users_names_both_and_picks_neither(tenant):
    with_users(tenant, JOHN, {"userPrincipalName": "jane@contoso.com", "mail": "jane@contoso.com",
                              "proxyAddresses": ["SMTP:jane@contoso.com", "smtp:j.doe@contoso.com"]})
    with pytest.raises(PermanentError, match=r"2 users \(jane@contoso.com, jdoe@corp.contoso.com\)"):
        await tenant.directory.get_user("j.doe@contoso.com")


@pytest.mark.parametrize("user", ["nobody@contoso.com", "0f0f0f0f-0000-4000-8000-000000000000"])
async def test_an_unknown_user_is_not_found(tenant, user):
    with pytest.raises(NotFoundError, match="does not exist") as caught:
        await tenant.directory.get_user(user)
    assert caught.value.code == "Request_ResourceNotFound"


async def test_domains_say_which_are_federated_and_verified(tenant):
    domains = {domain.id: (domain.federated, domain.is_verified) for domain in await tenant.directory.domains()}
    assert domains == {"contoso.com": (False, True), "contoso.onmicrosoft.com": (False, True),
                       "fabrikam.com": (True, True)}


async def test_a_password_reset_is_recorded_and_moves_the_last_password_change(tenant):
    before = datetime.now(timezone.utc) - timedelta(seconds=1)
    await tenant.directory.reset_password(ADELE, PASSWORD)
    assert tenant.password_changes(ADELE) == 1
    changed = parse_iso((await tenant.directory.get_user(ADELE)).last_password_change)
    assert changed is not None and changed >= before.replace(microsecond=0)


async def test_a_synced_users_password_is_refused_and_not_changed(tenant):
    lee = await tenant.directory.get_user("lee@contoso.com")
    with pytest.raises(ServiceRejectedError, match="on-premises mastered Directory Sync objects"):
        await tenant.directory.reset_password(lee.id, PASSWORD)
    assert tenant.password_changes(lee.id) == 0


async def test_sessions_are_revoked_each_time_asked(tenant):
    await tenant.directory.revoke_sessions(ADELE)
    await tenant.directory.revoke_sessions(ADELE)
    assert tenant.revocations(ADELE) == 2


async def test_a_disabled_account_reads_back_disabled(tenant):
    await tenant.directory.disable_account("megan@contoso.com")
    assert (await tenant.directory.get_user("megan@contoso.com")).account_enabled is False


async def test_member_of_names_only_the_groups_the_user_is_in(tenant):
    other = "0f0f0f0f-0000-4000-8000-000000000000"
    assert await tenant.directory.member_of("nestor@contoso.com", [EXECUTIVES, other]) == [EXECUTIVES]
    assert await tenant.directory.member_of("megan@contoso.com", [EXECUTIVES]) == []


async def test_graph_lists_the_visible_rules_only(tenant):
    rules = await tenant.directory.inbox_rules(ADELE)
    assert [(rule.source, rule.name, rule.id, rule.hidden) for rule in rules] == [
        ("graph", "Team updates", "AQAAAJ5dZp8=", False), ("graph", ".", "AQAAAJ5dZqA=", False)]
    assert [(r.action, r.address) for r in rules[1].recipients] == [
        ("forwardTo", "adele.vance.backup@mailbox.example")]


async def test_graph_disables_a_visible_rule_and_returns_it(tenant):
    disabled = await tenant.directory.disable_inbox_rule(ADELE, "AQAAAJ5dZqA=")
    assert (disabled.id, disabled.name, disabled.enabled) == ("AQAAAJ5dZqA=", ".", False)
    assert [rule.enabled for rule in await tenant.directory.inbox_rules(ADELE)] == [True, False]


async def test_graph_cannot_reach_a_hidden_rule(tenant):
    with pytest.raises(NotFoundError, match="not found"):
        await tenant.directory.disable_inbox_rule(ADELE, "AQAAAJ5dZqE=")


async def test_auth_methods_include_the_password_with_their_types_and_dates(tenant):
    methods = await tenant.directory.auth_methods(ADELE)
    assert [(method.type, method.label) for method in methods] == [
        ("password", ""), ("phone", "+1 4255550109"), ("microsoftAuthenticator", "Pixel 7")]
    phone, authenticator = methods[1:]
    assert phone.id == "3179e48a-750b-4051-897c-87b9720928f7" and phone.created is None
    assert parse_iso(authenticator.created) < datetime.now(timezone.utc) - timedelta(hours=23)


async def test_a_sent_mail_leaves_from_the_sender_to_every_recipient(tenant):
    await tenant.directory.send_mail("secops@contoso.com", ["soc@contoso.com", "ciso@contoso.com"], "Adele secured",
                                     "<p>done</p>")
    assert tenant.outbox() == [("secops@contoso.com", ["soc@contoso.com", "ciso@contoso.com"], "Adele secured")]


async def test_security_alerts_are_those_of_the_source_updated_since_a_moment(tenant):
    now = datetime.now(timezone.utc)
    [alert] = await tenant.directory.security_alerts(now - timedelta(days=1), DEFENDER_FOR_OFFICE)
    assert (alert.title, alert.users) == ("User restricted from sending email", ("adele@contoso.com",))
    assert now - timedelta(minutes=31) < alert.last_updated < now
    assert await tenant.directory.security_alerts(now + timedelta(hours=1), DEFENDER_FOR_OFFICE) == []
    assert await tenant.directory.security_alerts(now - timedelta(days=1), "microsoftDefenderForEndpoint") == []


async def test_every_alert_comes_back_however_graph_pages_them(tenant):
    scenario = tenant.scenario()
    alert = scenario["alerts"][0]
    updated = [iso(datetime.now(timezone.utc) - timedelta(minutes=minutes)) for minutes in (50, 40, 30)]
    scenario["alerts"] = [{**alert, "id": f"{alert['id']}{n}", "lastUpdateDateTime": at} for n, at in enumerate(updated)]
    scenario["graph"] = {"pageSize": 1}
    tenant.load(scenario)
    alerts = await tenant.directory.security_alerts(datetime.now(timezone.utc) - timedelta(hours=1),
                                                    DEFENDER_FOR_OFFICE)
    assert sorted(alert.id[-1] for alert in alerts) == ["0", "1", "2"]


async def test_sign_ins_since_a_time_come_with_their_place_and_client_app(tenant):
    since = datetime.now(timezone.utc) - timedelta(days=7)
    records = await tenant.directory.sign_ins(ADELE, since)
    assert [(item.ip, item.country, item.city, item.client_app) for item in records] == [
        ("203.0.113.45", "NG", "Lagos", "Authenticated SMTP"),
        ("203.0.113.45", "NG", "Lagos", "Authenticated SMTP"),
        ("203.0.113.45", "NG", "Lagos", "Browser"),
        ("198.51.100.7", "US", "Redmond", "Browser")]
    assert all(item.created >= since for item in records)
    assert len(await tenant.directory.sign_ins(ADELE, since - timedelta(days=30))) == 5
    assert await tenant.directory.sign_ins("0b7d9c31-58e2-4f61-8a3b-6c5d4e3f2a10", since) == []


async def test_sign_ins_without_entra_id_p1_are_a_licence_error(tenant):
    scenario = tenant.scenario()
    scenario["graph"] = {**scenario.get("graph", {}), "premium": False}
    tenant.load(scenario)
    with pytest.raises(LicenceError, match="doesn't have premium license"):
        await tenant.directory.sign_ins(ADELE, datetime.now(timezone.utc) - timedelta(days=7))
