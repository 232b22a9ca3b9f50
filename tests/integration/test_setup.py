"""Tenant setup as code against the sandbox: a first run grants what the features need, a second
run changes nothing and says so, --dry-run changes nothing at all."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from localdev.tenant.graph_identity import MANAGED_IDENTITY, ROLE_TEMPLATES
from remediation.setup import __main__ as setup_command
from remediation.setup.api_app import identifier_uri
from remediation.setup.changes import CREATE, MANUAL, UNCHANGED, UPDATE

ROOT = Path(__file__).resolve().parents[2]
NOTIFY = {"NOTIFY_SENDER": "secops@contoso.com", "NOTIFY_RECIPIENTS": "soc@contoso.com"}


@pytest.fixture
def bare_tenant(sandbox):
    """A tenant where the identity holds nothing yet."""
    scenario = sandbox.scenario()
    scenario["identity"] = {"appRoles": [], "directoryRoles": []}
    sandbox.load(scenario)
    return sandbox


@pytest.fixture
def run_setup(bare_tenant, tmp_path):
    async def run(*flags: str, **env) -> list:
        args = argparse.Namespace(dry_run="--dry-run" in flags, admin_unit=None, azure_monitor="--azure-monitor" in flags,
                                  exchange_script=str(tmp_path / "exchange-setup.ps1"), no_azd=True)
        merged = {**bare_tenant.env(), **NOTIFY, "MANAGED_IDENTITY_CLIENT_ID": MANAGED_IDENTITY["appId"], **env}
        settings = setup_command.Settings.from_env(merged)
        setup = setup_command.Setup(settings, args, merged, None)
        try:
            return await setup.run()
        finally:
            await setup.aclose()
    return run


def made(changes) -> list[str]:
    return [change.what for change in changes if change.action in (CREATE, UPDATE)]


def _role_values(sandbox) -> set[str]:
    directory = sandbox.state()["identity"]["directory"]
    roles = {role["id"]: role["value"] for sp in directory["servicePrincipals"] for role in sp["appRoles"]}
    managed = directory["servicePrincipals"][0]["id"]
    return {roles[item["appRoleId"]] for item in directory["appRoleAssignments"] if item["principalId"] == managed}


async def test_a_first_run_grants_exactly_what_the_default_features_need(bare_tenant, run_setup, tmp_path):
    changes = await run_setup()
    assert _role_values(bare_tenant) == {
        "User.Read.All", "Domain.Read.All", "User-PasswordProfile.ReadWrite.All", "User.RevokeSessions.All",
        "MailboxSettings.ReadWrite", "UserAuthenticationMethod.ReadWrite.All", "SecurityAlert.Read.All",
        "Application.Read.All", "DelegatedPermissionGrant.ReadWrite.All", "IdentityRiskyUser.ReadWrite.All",
        "RoleManagement.Read.Directory", "AuditLog.Read.All", "Exchange.ManageAsApp"}
    roles = bare_tenant.state()["identity"]["directory"]["roleAssignments"]
    assert [(role["roleDefinitionId"], role["directoryScopeId"]) for role in roles] == [
        (ROLE_TEMPLATES["User Administrator"], "/")]
    [app] = bare_tenant.state()["identity"]["directory"]["applications"]
    assert app["identifierUris"] == [identifier_uri(bare_tenant.tenant_id)]
    assert {role["value"] for role in app["appRoles"]} == {"Remediation.Admin", "Remediation.Reader", "Alerts.Submit"}
    assert app["api"]["requestedAccessTokenVersion"] == 2
    assert f"run `azd env set API_AUDIENCE {app['appId']}`, then `azd provision`" in [c.what for c in changes]
    script = (tmp_path / "exchange-setup.ps1").read_text()
    assert "'Remove-BlockedSenderAddress'" in script and "Exchange Administrator" not in script
    assert "-CustomResourceScope 'RSR notify sender'" in script


async def test_a_second_run_changes_nothing_and_says_so(bare_tenant, run_setup):
    await run_setup()
    before = bare_tenant.state()["identity"]
    since = len(bare_tenant.requests())
    second = await run_setup()
    assert made(second) == []
    assert bare_tenant.state()["identity"] == before
    assert {entry["method"] for entry in bare_tenant.requests(since)} == {"GET"}
    text = setup_command.summary(second, dry_run=False)
    assert "Nothing to change: the tenant already matches the settings." in text


async def test_a_dry_run_prints_the_plan_and_changes_nothing(bare_tenant, run_setup, tmp_path):
    since = len(bare_tenant.requests())
    changes = await run_setup("--dry-run")
    assert {entry["method"] for entry in bare_tenant.requests(since)} == {"GET"}
    assert "Microsoft Graph: User.Read.All" in made(changes)
    assert not (tmp_path / "exchange-setup.ps1").exists()
    assert "would create" in setup_command.summary(changes, dry_run=True)


async def test_a_feature_turned_on_adds_its_permission_and_one_no_longer_needed_is_reported(bare_tenant, run_setup):
    await run_setup()
    changes = await run_setup(DISABLE_ACCOUNT_ON_RECURRENCE="true")
    assert made(changes) == ["Microsoft Graph: User.EnableDisableAccount.All"]
    leftovers = [change.what for change in await run_setup() if change.action == MANUAL]
    assert any("User.EnableDisableAccount.All held but not needed" in what for what in leftovers)


async def test_the_role_can_be_scoped_to_an_administrative_unit(bare_tenant, run_setup, tmp_path):
    args = argparse.Namespace(dry_run=False, admin_unit="a1b2c3d4-0000-4000-8000-000000000001", azure_monitor=False,
                              exchange_script=str(tmp_path / "x.ps1"), no_azd=True)
    env = {**bare_tenant.env(), **NOTIFY, "MANAGED_IDENTITY_CLIENT_ID": MANAGED_IDENTITY["appId"]}
    setup = setup_command.Setup(setup_command.Settings.from_env(env), args, env, None)
    try:
        await setup.run()
    finally:
        await setup.aclose()
    [role] = bare_tenant.state()["identity"]["directory"]["roleAssignments"]
    assert role["directoryScopeId"] == "/administrativeUnits/a1b2c3d4-0000-4000-8000-000000000001"


async def test_the_management_subscription_is_started_once(bare_tenant, run_setup):
    async def validate(request: web.Request) -> web.Response:
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/api/alerts/o365", validate)
    async with TestServer(app, host="127.0.0.1") as server:
        env = {"O365_WEBHOOK_AUTH_ID": "auth-id", "PUBLIC_BASE_URL": str(server.make_url("")).rstrip("/")}
        first = await run_setup(**env)
        assert any(what.startswith("Management Activity API subscription Audit.General") for what in made(first))
        assert made(await run_setup(**env)) == []


async def test_an_unreachable_webhook_leaves_a_manual_step(bare_tenant, run_setup):
    changes = await run_setup(O365_WEBHOOK_AUTH_ID="auth-id", PUBLIC_BASE_URL="http://127.0.0.1:9")
    [manual] = [c.what for c in changes if c.what.startswith("Management Activity API subscription")]
    assert "run this again after `azd deploy`" in manual


def test_the_command_runs_from_the_shell_and_a_second_run_says_nothing_changes(bare_tenant, tmp_path):
    env = {"PATH": "/usr/bin:/bin", **bare_tenant.env(), **NOTIFY,
           "MANAGED_IDENTITY_CLIENT_ID": MANAGED_IDENTITY["appId"]}
    command = [sys.executable, "-m", "remediation.setup", "--no-azd", "--exchange-script", str(tmp_path / "x.ps1")]
    first = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    assert "created  Microsoft Graph: User.Read.All" in first.stdout
    second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert "Nothing to change" in second.stdout and "created" not in second.stdout


async def test_after_azd_a_missing_webhook_auth_id_is_a_manual_step_naming_the_vault(bare_tenant, run_setup):
    changes = await run_setup(AZURE_KEY_VAULT_NAME="kv-abc")
    [manual] = [c.what for c in changes if c.what.startswith("O365 webhook")]
    assert "--vault-name kv-abc" in manual and "ActivityFeed.Read" not in _role_values(bare_tenant)


def test_api_audience_is_set_in_the_azd_environment(bare_tenant, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    azd = bin_dir / "azd"   # stands in for azd: records its arguments
    azd.write_text(f'#!/bin/sh\necho "$@" >> {tmp_path / "azd.log"}\n')
    azd.chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", **bare_tenant.env(), **NOTIFY,
           "MANAGED_IDENTITY_CLIENT_ID": MANAGED_IDENTITY["appId"]}
    done = subprocess.run([sys.executable, "-m", "remediation.setup", "--exchange-script", str(tmp_path / "x.ps1")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    [app] = bare_tenant.state()["identity"]["directory"]["applications"]
    assert (tmp_path / "azd.log").read_text() == f"env set API_AUDIENCE {app['appId']}\n"
    assert f"updated  API_AUDIENCE = {app['appId']} in the azd environment" in done.stdout


async def test_azure_monitor_gets_alerts_submit_once_and_its_principal_is_created_if_missing(bare_tenant, run_setup):
    assert "Alerts.Submit for Azure Monitor" in made(await run_setup("--dry-run", "--azure-monitor"))
    first = await run_setup("--azure-monitor")
    assert {"service principal of Azure Monitor", "Alerts.Submit for Azure Monitor"} <= set(made(first))
    directory = bare_tenant.state()["identity"]["directory"]
    azns = next(sp for sp in directory["servicePrincipals"] if sp["appId"] == setup_command.AZURE_MONITOR_APP)
    api = next(sp for sp in directory["servicePrincipals"] if sp["displayName"] == "Restricted sender responder API")
    submit = next(role["id"] for role in api["appRoles"] if role["value"] == "Alerts.Submit")
    assert [(a["resourceId"], a["appRoleId"]) for a in directory["appRoleAssignments"]
            if a["principalId"] == azns["id"]] == [(api["id"], submit)]
    assert made(await run_setup("--azure-monitor")) == []
