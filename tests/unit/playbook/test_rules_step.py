"""The inbox_rules step on the fakes: which domains are the tenant's, and what it reports for a human."""

from __future__ import annotations

from remediation.models import Domain
from remediation.rules import UNRESOLVED
from tests.plugins.playbook import ADELE
from tests.unit.fakes import rule, to
from tests.unit.playbook.helpers import run_job


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

