"""Which storage account and credential the settings select (no request is sent)."""

from __future__ import annotations

import pytest
from azure.identity.aio import DefaultAzureCredential, ManagedIdentityCredential

from remediation.errors import ConfigurationError
from remediation.gateways.storage_auth import StorageAccount
from remediation.settings import Settings

IDENTITY_QUEUE = "https://stresponder.queue.core.windows.net"
IDENTITY = {"AzureWebJobsStorage__queueServiceUri": IDENTITY_QUEUE,
            "AzureWebJobsStorage__tableServiceUri": "https://stresponder.table.core.windows.net"}


@pytest.fixture
async def account_for():
    accounts = []

    def build(env: dict[str, str]) -> StorageAccount:
        accounts.append(StorageAccount(Settings.from_env(env)))
        return accounts[-1]

    yield build
    for account in accounts:
        await account.close()


async def test_a_user_assigned_identity_is_used_when_its_client_id_is_set(account_for):
    account = account_for({**IDENTITY, "AzureWebJobsStorage__clientId": "00000000-0000-0000-0000-0000000000aa"})

    assert isinstance(account.credential, ManagedIdentityCredential)
    assert account.queue("remediation-jobs").url == "https://stresponder.queue.core.windows.net/remediation-jobs"
    assert account.table("remediationjobs").url.startswith("https://stresponder.table.core.windows.net")


async def test_without_a_client_id_the_default_credential_chain_is_used(account_for):
    assert isinstance(account_for(IDENTITY).credential, DefaultAzureCredential)


async def test_a_connection_string_wins_over_identity_settings(account_for, storage_env):
    account = account_for({**IDENTITY, "AzureWebJobsStorage": storage_env["AzureWebJobsStorage"]})

    assert account.credential is None
    assert account.queue("q1").url.startswith("http://127.0.0.1:")


async def test_use_development_storage_points_at_the_emulators_default_ports(account_for):
    account = account_for({"AzureWebJobsStorage": "UseDevelopmentStorage=true"})

    assert account.queue("q1").url == "http://127.0.0.1:10001/devstoreaccount1/q1"
    assert account.table("t1").url == "http://127.0.0.1:10002/devstoreaccount1"


@pytest.mark.parametrize("env", [{}, {"AzureWebJobsStorage__queueServiceUri": IDENTITY_QUEUE}])
def test_no_storage_setting_is_a_configuration_error(env):
    with pytest.raises(ConfigurationError, match="AzureWebJobsStorage"):
        StorageAccount(Settings.from_env(env))
