"""The Management Activity API's Webhook-AuthID: the only credential that webhook carries."""

from __future__ import annotations

import pytest

from remediation.auth import verify_webhook_auth_id
from remediation.errors import UnauthorizedError


def test_the_configured_auth_id_is_accepted():
    verify_webhook_auth_id("o365activityapinotification", "o365activityapinotification")


@pytest.mark.parametrize("presented", [None, "", "o365activityapinotificatio", "O365ACTIVITYAPINOTIFICATION"])
def test_any_other_value_is_unauthorized(presented):
    with pytest.raises(UnauthorizedError):
        verify_webhook_auth_id(presented, "o365activityapinotification")


@pytest.mark.parametrize("presented", [None, ""])
def test_without_a_configured_auth_id_nothing_is_accepted(presented):
    with pytest.raises(UnauthorizedError):
        verify_webhook_auth_id(presented, "")
