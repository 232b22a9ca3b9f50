"""A user blocked under an alias: the mailbox steps act on the mailbox Graph resolved (its UPN),
the unblock on the address Exchange blocked."""

from __future__ import annotations

from datetime import timedelta

from remediation.tenant import MailboxForwarding
from tests.plugins.playbook import ADELE
from tests.unit.playbook.helpers import SWEEP, run_job

ALIAS = "a.vance@contoso.com"
MAILBOX_CALLS = ("mailbox_forwarding", "clear_mailbox_forwarding", "exchange.inbox_rules",
                 "exchange.disable_inbox_rule")


def blocked_under_the_alias(playbook) -> None:
    adele = playbook.tenant.find(ADELE)
    adele.proxies = (f"SMTP:{ADELE}", f"smtp:{ALIAS}")
    playbook.tenant.blocked.clear()
    playbook.tenant.block(ALIAS, playbook.clock() - timedelta(minutes=30))


async def test_the_mailbox_steps_act_on_the_resolved_mailbox_of_a_user_blocked_under_an_alias(playbook):
    blocked_under_the_alias(playbook)
    job = await run_job(playbook, user=ALIAS, trigger=SWEEP)
    assert job.user == ALIAS and job.status == "awaiting_release", job.summary
    mailboxes = {args[0] for name, args in playbook.tenant.calls if name in MAILBOX_CALLS}
    assert mailboxes == {ADELE}
    assert [args for name, args in playbook.tenant.calls if name == "unblock"] == [(ALIAS,)]
    assert playbook.tenant.find(ADELE).forwarding == MailboxForwarding()
    targets = {item.target for item in job.audit if item.action in ("clear mailbox forwarding", "disable inbox rule")}
    assert targets and all(target.startswith(ADELE) for target in targets)
    assert f"Cleared the mailbox forwarding of {ADELE}" in job.step("mailbox_forwarding").detail
