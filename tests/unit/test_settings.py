from dataclasses import fields

import pytest

from remediation.errors import ConfigurationError
from remediation.settings import HOST_SCHEDULES, SETTING_DEFAULTS, Settings, is_loopback


def test_defaults_are_safe():
    settings = Settings.from_env({})
    assert settings.mode == "dry-run"
    assert not settings.enforce
    assert settings.follow_up_delay_seconds == 3600
    assert SETTING_DEFAULTS["SWEEP_SCHEDULE"] == "0 */1 * * * *"
    assert settings.graph_base_url == "https://graph.microsoft.com"


def test_every_setting_maps_to_a_field_and_back():
    built = Settings.from_env(SETTING_DEFAULTS)
    assert built == Settings.from_env({}) == Settings()
    # + unresolved_references; the schedules are the host's
    assert len(SETTING_DEFAULTS) == len(fields(Settings)) - 1 + len(HOST_SCHEDULES)


def test_an_unresolved_key_vault_reference_is_never_used_as_the_value():
    reference = "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/o365-webhook-auth-id/)"
    settings = Settings.from_env({"O365_WEBHOOK_AUTH_ID": reference})
    assert settings.o365_webhook_auth_id == ""
    assert "O365_WEBHOOK_AUTH_ID is a Key Vault reference that did not resolve" in settings.problems()


def test_lists_accept_commas_and_semicolons():
    settings = Settings.from_env({"PROTECTED_ACCOUNTS": "ceo@contoso.com; 0b6c...-group ,cfo@contoso.com",
                                  "NOTIFY_RECIPIENTS": "soc@contoso.com"})
    assert settings.protected_accounts == ("ceo@contoso.com", "0b6c...-group", "cfo@contoso.com")
    assert settings.notify_recipients == ("soc@contoso.com",)


@pytest.mark.parametrize("env, message", [
    ({"REMEDIATION_MODE": "yolo"}, "REMEDIATION_MODE"),
    ({"FOLLOW_UP_DELAY_SECONDS": "soon"}, "FOLLOW_UP_DELAY_SECONDS"),
    ({"FOLLOW_UP_DELAY_SECONDS": "700000"}, "FOLLOW_UP_DELAY_SECONDS"),
    ({"APPROVAL_TIMEOUT_HOURS": "0"}, "APPROVAL_TIMEOUT_HOURS"),
    ({"APPROVAL_TIMEOUT_HOURS": "169"}, "APPROVAL_TIMEOUT_HOURS"),
    ({"APP_CONSENTS_ACTION": "delete"}, "APP_CONSENTS_ACTION must be remove or report"),
])
def test_invalid_values_name_the_setting(env, message):
    with pytest.raises(ConfigurationError, match=message):
        Settings.from_env(env)


def test_secret_is_not_in_repr():
    settings = Settings.from_env({"O365_WEBHOOK_AUTH_ID": "s3cret-auth-id"})
    assert "s3cret-auth-id" not in repr(settings)


def test_problems_name_missing_settings():
    assert "TENANT_ID is not set" in Settings.from_env({}).problems()


@pytest.mark.parametrize("url, expected", [
    ("http://127.0.0.1:8080", True), ("http://localhost:1", True), ("http://[::1]:5", True),
    ("https://graph.microsoft.com", False), ("https://10.0.0.1", False), ("http://127.example.com", False),
])
def test_loopback_detection(url, expected):
    assert is_loopback(url) is expected
