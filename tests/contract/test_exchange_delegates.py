"""The ExchangeAdmin port's delegates: listed with Exchange's system and inherited entries,
resolved through Get-Recipient, removed once (a second remove is not found) and added back;
against the fake tenant and ExchangeAdminClient on the sandbox (the `tenant` fixture)."""

from __future__ import annotations

import pytest

from remediation.errors import NotFoundError
from remediation.tenant import FULL_ACCESS, SEND_AS, SEND_ON_BEHALF, Delegate

ADELE = "adele@contoso.com"
CONTACT = "Invoices Desk"


def held(delegates: list[Delegate]) -> set[tuple[str, str]]:
    return {(delegate.right, delegate.trustee) for delegate in delegates}


async def test_the_delegates_include_the_mailboxs_own_entries_and_the_scenarios(tenant):
    found = held(await tenant.exchange.delegates(ADELE))
    assert {(FULL_ACCESS, "NT AUTHORITY\\SELF"), (SEND_AS, "NT AUTHORITY\\SELF"), (SEND_AS, CONTACT),
            (FULL_ACCESS, "megan@contoso.com")} <= found


async def test_a_contact_resolves_to_its_outside_address_and_a_colleague_to_the_tenants(tenant):
    contact = await tenant.exchange.recipient(CONTACT)
    assert contact.address == "invoices@evil.example" and contact.kind == "MailContact"
    assert (await tenant.exchange.recipient("megan@contoso.com")).address == "megan@contoso.com"
    assert await tenant.exchange.recipient("nobody@contoso.com") is None


async def test_a_removed_send_as_is_gone_and_removing_it_again_is_not_found(tenant):
    await tenant.exchange.remove_delegate(ADELE, Delegate(SEND_AS, CONTACT))
    assert (SEND_AS, CONTACT) not in held(await tenant.exchange.delegates(ADELE))
    with pytest.raises(NotFoundError, match="couldn't be found"):
        await tenant.exchange.remove_delegate(ADELE, Delegate(SEND_AS, CONTACT))


async def test_full_access_removed_and_added_back(tenant):
    await tenant.exchange.remove_delegate(ADELE, Delegate(FULL_ACCESS, "megan@contoso.com"))
    assert not any(right == FULL_ACCESS and "megan" in who for right, who in held(await tenant.exchange.delegates(ADELE)))
    await tenant.exchange.add_delegate(ADELE, Delegate(FULL_ACCESS, "megan@contoso.com"))
    assert any(right == FULL_ACCESS and "megan" in who for right, who in held(await tenant.exchange.delegates(ADELE)))


async def test_send_on_behalf_is_added_and_removed(tenant):
    await tenant.exchange.add_delegate(ADELE, Delegate(SEND_ON_BEHALF, CONTACT))
    assert (SEND_ON_BEHALF, CONTACT) in held(await tenant.exchange.delegates(ADELE))
    await tenant.exchange.remove_delegate(ADELE, Delegate(SEND_ON_BEHALF, CONTACT))
    assert not any(right == SEND_ON_BEHALF for right, _ in held(await tenant.exchange.delegates(ADELE)))
