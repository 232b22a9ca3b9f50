"""Which delegates mailbox_delegates removes, lists or ignores (remediation/delegates.py)."""

from __future__ import annotations

import pytest

from remediation.delegates import INSIDE, OUTSIDE, UNRESOLVED, place, reviewed
from remediation.rules import Domains
from remediation.tenant import FULL_ACCESS, SEND_AS, SEND_ON_BEHALF, Delegate, Recipient

DOMAINS = Domains(["contoso.com", "contoso.onmicrosoft.com"])
GUEST = "jo_evil.example#EXT#@contoso.onmicrosoft.com"


def test_inherited_deny_system_and_other_rights_are_not_reviewed():
    kept = Delegate(FULL_ACCESS, "megan@contoso.com")
    assert reviewed([kept, Delegate(FULL_ACCESS, "admins", inherited=True), Delegate(SEND_AS, "x", deny=True),
                     Delegate(FULL_ACCESS, "NT AUTHORITY\\SELF"), Delegate(SEND_AS, "S-1-5-21-1-2-3"),
                     Delegate("ReadPermission", "y")]) == [kept]


@pytest.mark.parametrize("delegate, recipient, where", [
    (Delegate(SEND_AS, GUEST), None, OUTSIDE),                                      # a guest, even unresolved
    (Delegate(SEND_AS, "jo"), Recipient("jo", "jo@contoso.com", "GuestMailUser"), OUTSIDE),
    (Delegate(FULL_ACCESS, "desk"), Recipient("desk", "drop@evil.example", "MailContact"), OUTSIDE),
    (Delegate(SEND_ON_BEHALF, "megan"), Recipient("megan", "megan@contoso.com", "UserMailbox"), INSIDE),
    (Delegate(FULL_ACCESS, "sub"), Recipient("sub", "x@mail.contoso.com", "MailUser"), OUTSIDE),  # a subdomain
    (Delegate(FULL_ACCESS, "ghost"), None, UNRESOLVED),
    (Delegate(FULL_ACCESS, "odd"), Recipient("odd", "", "MailUser"), UNRESOLVED),
])
def test_a_trustee_is_placed_by_guest_marker_or_address_domain(delegate, recipient, where):
    assert place(delegate, recipient, DOMAINS) == where
