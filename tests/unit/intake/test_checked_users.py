"""An alert's users, checked before any job: all or none, at most MAX_USERS_PER_ALERT."""

from __future__ import annotations

import pytest

from remediation.errors import RequestError
from remediation.intake import AlertedUser, checked_users

ALERT_ID = "73e01a99-5cd7-4139-a149-9f2736ff2ab5"
OBJECT_ID = "f7033626-2572-46b1-bba0-06646f4f95b3"


def test_checked_users_keys_each_user_and_keeps_the_alert():
    alerted = [AlertedUser(" Mallory@Contoso.com ", ALERT_ID), AlertedUser(OBJECT_ID, ALERT_ID)]
    assert checked_users(alerted, 2) == [AlertedUser("mallory@contoso.com", ALERT_ID), AlertedUser(OBJECT_ID, ALERT_ID)]


def test_one_bad_user_refuses_the_whole_alert_naming_every_bad_one():
    alerted = [AlertedUser(name, ALERT_ID) for name in ("mallory@contoso.com", "*", "a/b?c#d", "' or 1 eq 1")]
    with pytest.raises(RequestError, match=r'refused 3 user\(s\), .*: "\*", "a/b\?c#d", "\' or 1 eq 1"$'):
        checked_users(alerted, 50)


def test_more_users_than_the_cap_refuses_the_alert():
    alerted = [AlertedUser(f"user{n}@contoso.com", ALERT_ID) for n in range(51)]
    with pytest.raises(RequestError, match=r"names 51 users, more than MAX_USERS_PER_ALERT \(50\)"):
        checked_users(alerted, 50)
    assert len(checked_users(alerted[:50], 50)) == 50
