"""Which names may reach a job: SMTP addresses (international ones included) and object ids."""

from __future__ import annotations

import pytest

from handlers.http_errors import status_of
from remediation.errors import RequestError
from remediation.users import checked_user, is_address, is_object_id, quoted

ATTACKS = ["*", "a/b?c#d", "' or 1 eq 1", "mallory@contoso.com\r\nBcc: all@contoso.com", "<b>x</b>@contoso.com",
           "mallory@contoso.com'", "mallory @contoso.com", "\"mallory\"@contoso.com", "mallory@[127.0.0.1]",
           "mallory@contoso", "mallory@contoso.123", "mallory@-contoso.com", ".mallory@contoso.com",
           "mal..lory@contoso.com", "mal\u200blory@contoso.com", "mallory@contoso.com\u202e", "", "@contoso.com",
           "x" * 65 + "@contoso.com", "m@" + "a" * 64 + ".com", "m@" + ("a" * 60 + ".") * 5 + "com"]


@pytest.mark.parametrize("address", [
    "mallory@contoso.com", "O'Brien@contoso.com", "first.last+tag@mail.contoso.co.uk", "ünïcødé@contoso.com",
    "用户@例子.广告", "δοκιμή@παράδειγμα.δοκιμή", "a/b?c#d@contoso.com", "x" * 64 + "@contoso.com",
    "mallory@xn--bcher-kva.example",
])
def test_smtp_addresses_are_accepted_international_ones_too(address):
    assert is_address(address) and checked_user(f" {address} ") == address.lower()


def test_an_object_id_is_kept_as_given_and_must_be_all_of_the_name():
    assert checked_user("F7033626-2572-46B1-BBA0-06646F4F95B3") == "F7033626-2572-46B1-BBA0-06646F4F95B3"
    assert not is_object_id("f7033626-2572-46b1-bba0-06646f4f95b3\n")
    assert not is_object_id("f7033626-2572-46b1-bba0-06646f4f95b3/memberOf")


@pytest.mark.parametrize("name", ATTACKS)
def test_anything_else_is_refused_naming_it(name):
    with pytest.raises(RequestError, match="user must be an email address or an Entra object id, not ") as refused:
        checked_user(name)
    assert status_of(refused.value) == 400 and quoted(name) in refused.value.message
    assert "\r" not in refused.value.message and "\n" not in refused.value.message


def test_a_refused_value_is_quoted_inert_and_short():
    assert quoted("a\r\nb") == '"a\\r\\nb"'
    assert quoted(["x"]) == "\"['x']\"" and len(quoted("x" * 500)) < 100
