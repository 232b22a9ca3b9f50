"""The standard compromise, end to end on the fakes: secured, unblocked, verified."""

from __future__ import annotations

from remediation.models import Trigger
from tests.plugins.playbook import ADELE
from tests.unit.fakes import EVIL


async def start(playbook, user=ADELE, **kw):
    job, created = await playbook.service.intake.request(user, Trigger("admin", requested_by="admin@contoso.com"),
                                                         **kw)
    assert created
    await playbook.work()
    return await playbook.service.admin.get(job.id)


async def test_the_standard_compromise_is_secured_then_unblocked(playbook):
    job = await start(playbook)
    tenant, user = playbook.tenant, playbook.tenant.find(ADELE)

    assert job.status == "awaiting_release"
    assert {step.name: step.status for step in job.steps} == {
        "confirm_block": "done", "reset_password": "done", "revoke_sessions": "done", "inbox_rules": "done",
        "mailbox_forwarding": "done", "mailbox_delegates": "done", "app_consents": "done", "auth_methods": "done",
        "legacy_protocols": "done", "identity_risk": "done", "unblock_sender": "done", "notify": "done",
        "follow_up": "pending"}
    assert len(tenant.passwords[user.id]) == 1   # its strength: test_passwords, and the sandbox's own check
    assert tenant.revocations[user.id] == 1
    enabled = {item["displayName"]: item["isEnabled"] for item in user.rules}
    assert enabled == {"Newsletters": True, "fwd": False, ".": False, "To Megan": True, "Junk E-Mail Rule": True}
    assert not user.forwarding.is_set
    assert tenant.blocked == [] and tenant.unblocks == {ADELE: 1}


async def test_the_order_of_changes_follows_the_playbook(playbook):
    await start(playbook)
    changes = [name for name, _ in playbook.tenant.calls if name in (
        "reset_password", "revoke_sessions", "graph.disable_inbox_rule", "exchange.disable_inbox_rule",
        "clear_mailbox_forwarding", "remove_delegate", "set_cas_settings", "unblock", "send_mail")]
    assert changes == ["reset_password", "revoke_sessions", "graph.disable_inbox_rule",
                       "exchange.disable_inbox_rule", "clear_mailbox_forwarding", "remove_delegate", "set_cas_settings",
                       "unblock", "send_mail"]


async def test_hidden_rules_are_disabled_through_exchange_and_visible_ones_through_graph(playbook):
    await start(playbook)
    calls = dict(playbook.tenant.calls)
    assert calls["graph.disable_inbox_rule"][1] == playbook.tenant.rule_by(ADELE, "fwd")["id"]
    hidden = playbook.tenant.rule_by(ADELE, ".")["id"]
    assert calls["exchange.disable_inbox_rule"] == (ADELE, str(int.from_bytes(__import__("base64").b64decode(hidden),
                                                                               "little")))


async def test_the_job_records_what_was_seen_and_done(playbook):
    job = await start(playbook)
    assert job.block["senderAddress"] == ADELE and job.block["reasonParts"] == {"ExceedingLimitType": "Daily"}
    rules = job.step("inbox_rules")
    assert "Found 5 inbox rule(s), 2 of them hidden" in rules.detail
    assert f"'fwd' forwards to {EVIL} (outside the tenant)" in rules.detail
    assert "'.' (hidden) moves mail to RSS Feeds" in rules.detail
    assert "Reported, not changed: 'To Megan' forwards to megan@contoso.com (inside the tenant)" in rules.detail
    assert rules.data["system"] == ["Junk E-Mail Rule"]
    assert "smtp:collect@evil.example" in job.step("mailbox_forwarding").detail
    assert "Removed 1 method(s) registered within 7 day(s) of the block: microsoftAuthenticator 'Pixel 9'" in \
        job.step("auth_methods").detail
    assert [item["type"] for item in job.step("auth_methods").data["removed"]] == ["microsoftAuthenticator 'Pixel 9'"]
    assert all(step.startedAt and step.endedAt for step in job.steps[:-1])
    assert all("runner" not in step.data for step in job.steps)


async def test_the_snapshot_holds_what_was_there_before_any_change(playbook):
    job = await start(playbook)
    before = {item["name"]: item["enabled"] for item in job.snapshot["inbox_rules"]}
    assert before == {"Newsletters": True, "fwd": True, ".": True, "To Megan": True, "Junk E-Mail Rule": True}
    assert job.snapshot["mailbox_forwarding"] == {"ForwardingSmtpAddress": "smtp:collect@evil.example",
                                                  "ForwardingAddress": None, "DeliverToMailboxAndForward": True}
    assert job.snapshot["reset_password"]["onPremisesSyncEnabled"] is None


async def test_every_change_is_in_the_audit_trail(playbook):
    job = await start(playbook)
    actions = [(item.action, item.result) for item in job.audit]
    assert actions == [("reset password", "ok"), ("revoke sign-in sessions", "ok"), ("disable inbox rule", "ok"),
                       ("disable inbox rule", "ok"), ("clear mailbox forwarding", "ok"),
                       ("remove mailbox delegate", "ok"), ("remove authentication method", "ok"),
                       ("turn off legacy protocols", "ok"), ("confirm user compromised", "ok"),
                       ("remove blocked sender", "ok"), ("send summary mail", "ok")]
    assert {item.actor for item in job.audit} == {"restricted-sender-responder (app)"}
    assert all(item.at and item.target and item.why for item in job.audit)


async def test_the_follow_up_is_posted_an_hour_later(playbook):
    job = await start(playbook)
    assert playbook.queue.sent == [({"kind": "follow_up", "jobId": job.id, "attempt": 1}, 3600)]
    assert job.unblocked_at == "2026-11-28T08:00:00Z" and job.follow_up_due_at == "2026-11-28T09:00:00Z"
    await playbook.work(delayed=True)
    job = await playbook.service.admin.get(job.id)
    assert job.status == "resolved"
    assert job.step("follow_up").status == "done"
    assert job.checks[0]["outcome"] == "resolved" and job.checks[0]["attempt"] == 1
    assert await playbook.store.claimed("active", ADELE) is None


async def test_one_summary_mail_goes_to_the_security_team_never_to_the_user(playbook):
    job = await start(playbook)
    [mail] = playbook.tenant.outbox
    assert mail["from"] == "secops@contoso.com" and mail["to"] == ["soc@contoso.com"]
    assert mail["subject"] == f"[Restricted sender] {ADELE}: awaiting_release"
    assert f"https://responder.contoso.com/api/remediations/{job.id}" in mail["body"]
    assert "Pixel 9" in mail["body"] and "collect@evil.example" in mail["body"]
    assert "Needs a human" in mail["body"]


async def test_the_password_methods_date_is_our_own_reset_not_a_registration(playbook):
    methods = playbook.tenant.find(ADELE).methods
    methods[0]["createdDateTime"] = "2026-11-28T08:00:00Z"     # Graph moves it to the last password change
    job = await start(playbook)
    assert [item["type"] for item in job.step("auth_methods").data["recent"]] == [
        "microsoftAuthenticator 'Pixel 9'"]


async def test_methods_without_a_registration_date_are_listed_for_a_human_to_check(playbook):
    playbook.tenant.find(ADELE).methods += [
        {"@odata.type": "#microsoft.graph.phoneAuthenticationMethod", "id": "3179e48a", "phoneNumber": "+1 2065555555",
         "phoneType": "mobile", "smsSignInState": "notAllowedByPolicy"},
        {"@odata.type": "#microsoft.graph.emailAuthenticationMethod", "id": "b1d4", "emailAddress": "a@evil.example"},
        {"@odata.type": "#microsoft.graph.softwareOathAuthenticationMethod", "id": "b172893e", "secretKey": None}]
    job = await start(playbook)
    step = job.step("auth_methods")
    assert step.status == "done" and job.step("unblock_sender").status == "done"      # listed, not a gate
    assert ("Kept, registration date unknown: check: phone '+1 2065555555'; email 'a@evil.example'; "
            "softwareOath.") in step.detail
    assert [item["type"] for item in step.data["undated"]] == ["phone '+1 2065555555'", "email 'a@evil.example'",
                                                               "softwareOath"]
    [mail] = playbook.tenant.outbox
    assert "Authentication method softwareOath: registration date unknown: check" in mail["body"]
    assert "a@evil.example&#x27;: registration date unknown: check" in mail["body"]
    assert playbook.tenant.count("delete_auth_method") == 1     # the dated Pixel 9 only
