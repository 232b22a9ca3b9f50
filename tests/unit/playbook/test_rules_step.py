"""The inbox_rules step on the fakes: which domains are the tenant's, and what it reports for a human."""

from __future__ import annotations

from dataclasses import replace

from remediation.rules import UNRESOLVED
from remediation.tenant import Domain, InboxRule
from tests.plugins.playbook import ADELE
from tests.unit.fakes import FakeExchange, rule, to
from tests.unit.playbook.helpers import run_job

TEXTED = "+15551234567"


class TextingExchange(FakeExchange):
    """Exchange's view with a text-message notification on one rule (an action Graph does not show)."""

    async def inbox_rules(self, mailbox: str, include_hidden: bool = True) -> list[InboxRule]:
        rules = await super().inbox_rules(mailbox, include_hidden)
        return [replace(item, text_message_to=(TEXTED,)) if item.name == "Newsletters" else item for item in rules]


async def test_forwarding_to_an_unverified_domain_of_the_tenant_is_outside_it(playbook):
    playbook.tenant.domains.append(Domain("contoso-mail.example", is_verified=False))
    playbook.tenant.find(ADELE).rules.append(rule(6, "claimed", forwardTo=to("drop@contoso-mail.example")))
    step = (await run_job(playbook)).step("inbox_rules")
    assert "'claimed' forwards to drop@contoso-mail.example (outside the tenant)" in step.detail
    assert playbook.tenant.rule_by(ADELE, "claimed")["isEnabled"] is False


async def test_a_hidden_rule_to_an_exchange_recipient_is_reported_as_unresolved(playbook):
    playbook.tenant.find(ADELE).rules.append(rule(6, "..", hidden=True, forwardTo=to("megan@contoso.com")))
    step = (await run_job(playbook)).step("inbox_rules")
    assert f"'..' (hidden) forwards to \"megan@contoso.com\" [EX:/o=ExchangeLabs/cn=Recipients/cn=megan] " \
           f"({UNRESOLVED})" in step.detail.partition("Reported, not changed:")[2]
    assert playbook.tenant.rule_by(ADELE, "..")["isEnabled"] is True
    assert step.data["internalForwarding"] == ["To Megan", ".."]


async def test_text_message_notifications_are_reported_for_a_human(playbook):
    playbook.tenant.exchange = TextingExchange(playbook.tenant)
    step = (await run_job(playbook)).step("inbox_rules")
    reported = step.detail.partition("Reported, not changed:")[2]
    assert f"'Newsletters' neither forwards outside the tenant nor hides mail; sends text message " \
           f"notifications to {TEXTED}" in reported
    assert step.data["toCheck"] == {"Newsletters": [f"sends text message notifications to {TEXTED}"]}
    assert playbook.tenant.rule_by(ADELE, "Newsletters")["isEnabled"] is True
