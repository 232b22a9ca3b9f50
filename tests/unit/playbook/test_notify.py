"""The mails: escaped HTML, the right people, never the compromised mailbox."""

from __future__ import annotations

from dataclasses import replace

from tests.plugins.playbook import ADELE
from tests.unit.fakes import rule, to
from tests.unit.playbook.helpers import run_job, statuses


async def test_values_from_the_attackers_side_are_escaped(playbook):
    playbook.tenant.find(ADELE).rules.append(rule(9, "<script>alert(1)</script>", forwardTo=to("x@evil.example")))
    await run_job(playbook)
    [mail] = playbook.tenant.outbox
    assert "<script>" not in mail["body"] and "&lt;script&gt;alert(1)&lt;/script&gt;" in mail["body"]


async def test_the_compromised_user_is_never_a_recipient(playbook):
    playbook.settings = replace(playbook.settings, notify_recipients=("soc@contoso.com", "ADELE@contoso.com"))
    await run_job(playbook)
    assert [mail["to"] for mail in playbook.tenant.outbox] == [["soc@contoso.com"]]


async def test_no_address_of_the_user_in_the_directory_is_a_recipient(playbook):
    playbook.tenant.find(ADELE).mail = "adele.vance@contoso.com"
    playbook.settings = replace(playbook.settings, notify_recipients=("soc@contoso.com", "Adele.Vance@Contoso.com"))
    await run_job(playbook)
    assert [mail["to"] for mail in playbook.tenant.outbox] == [["soc@contoso.com"]]


async def test_no_mail_is_sent_from_an_address_of_the_compromised_user(playbook):
    playbook.tenant.find(ADELE).mail = "adele.vance@contoso.com"
    playbook.settings = replace(playbook.settings, notify_sender="ADELE.VANCE@contoso.com")
    job = await run_job(playbook)
    assert playbook.tenant.outbox == [] and "compromised mailbox" in job.step("notify").detail


async def test_no_proxy_address_of_the_user_is_a_recipient_or_the_sender(playbook):
    from remediation.notify import Mailer
    playbook.tenant.find(ADELE).proxies = (f"SMTP:{ADELE}", "smtp:a.vance@contoso.com", "SIP:adele@contoso.com")
    playbook.settings = replace(playbook.settings, notify_recipients=("soc@contoso.com", "A.Vance@Contoso.com"))
    await run_job(playbook)
    assert [mail["to"] for mail in playbook.tenant.outbox] == [["soc@contoso.com"]]
    mailer = Mailer(replace(playbook.settings, notify_sender="A.Vance@contoso.com"), playbook.tenant.directory)
    recipients, unable = await mailer.audience(ADELE)
    assert recipients == [] and "compromised mailbox" in unable


async def test_a_user_the_directory_cannot_read_is_not_mailed_about(playbook):
    from remediation.errors import PermissionError_
    from remediation.notify import Mailer
    mailer = Mailer(playbook.settings, playbook.tenant.directory)
    playbook.tenant.fail_next("get_user", PermissionError_("Insufficient privileges", service="graph",
                                                           permission="User.Read.All"))
    recipients, unable = await mailer.audience(ADELE)
    assert recipients == [] and "User.Read.All" in unable
    assert await mailer.audience("nobody@contoso.com") == (["soc@contoso.com"], None)


async def test_nothing_is_sent_from_the_compromised_mailbox(playbook):
    playbook.settings = replace(playbook.settings, notify_sender=ADELE)
    job = await run_job(playbook)
    assert playbook.tenant.outbox == [] and statuses(job)["notify"] == "skipped"
    assert "compromised mailbox" in job.step("notify").detail


async def test_without_recipients_the_step_is_skipped_and_says_why(playbook):
    playbook.settings = replace(playbook.settings, notify_recipients=())
    job = await run_job(playbook)
    assert statuses(job)["notify"] == "skipped" and "NOTIFY_RECIPIENTS" in job.step("notify").detail
    assert job.status == "awaiting_release"


async def test_an_escalation_mail_says_what_needs_a_human(playbook):
    playbook.tenant.unblock_limit = 0
    await run_job(playbook)
    [mail] = playbook.tenant.outbox
    assert mail["subject"] == f"[Restricted sender] {ADELE}: escalated"
    assert "Needs a human" in mail["body"] and "Microsoft Support" in mail["body"]


async def test_a_mail_that_cannot_be_sent_fails_the_step_not_the_job(playbook):
    from remediation.errors import PermissionError_
    playbook.tenant.fail_next("send_mail", PermissionError_("Access denied", service="graph", permission="Mail.Send"))
    job = await run_job(playbook)
    assert statuses(job)["notify"] == "failed" and "Mail.Send" in job.step("notify").detail
    assert job.status == "awaiting_release" and "Mail.Send" in job.summary
