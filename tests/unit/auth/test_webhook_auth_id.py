"""The Management Activity API's Webhook-AuthID: the only credential that webhook carries."""

from __future__ import annotations

import pytest

from remediation.auth import verify_webhook_auth_id, webhook_auth_id_matches
from remediation.errors import UnauthorizedError

AUTH_ID = "o365activityapinotification"


@pytest.mark.parametrize("presented, expected, matches", [
    (AUTH_ID, AUTH_ID, True),
    (None, AUTH_ID, False), ("", AUTH_ID, False), (AUTH_ID[:-1], AUTH_ID, False), (AUTH_ID.upper(), AUTH_ID, False),
    (AUTH_ID + " ", AUTH_ID, False),
    (None, "", False), ("", "", False),          # no authId configured: nothing is accepted
])
def test_only_the_configured_auth_id_matches(presented, expected, matches):
    assert webhook_auth_id_matches(presented, expected) is matches


@pytest.mark.parametrize("presented, expected", [(None, AUTH_ID), (AUTH_ID.upper(), AUTH_ID), ("", "")])
def test_a_mismatch_is_unauthorized(presented, expected):
    with pytest.raises(UnauthorizedError, match="^Webhook-AuthID is missing or wrong$"):
        verify_webhook_auth_id(presented, expected)
