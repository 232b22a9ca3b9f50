"""The self-test against the sandbox tenant: every grant found, each withheld one named with what to run."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from localdev.tenant.graph_identity import MANAGED_IDENTITY
from remediation import selftest
from remediation.gateways.tenant_grants import TenantGraph
from remediation.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = MANAGED_IDENTITY["appId"]
NOTIFY = {"NOTIFY_SENDER": "secops@contoso.com", "NOTIFY_RECIPIENTS": "soc@contoso.com"}


@pytest.fixture
def settings_for(sandbox):
    def build(**env) -> Settings:
        return Settings.from_env({**sandbox.env(), **NOTIFY, **env})
    return build


@pytest.fixture
async def run_selftest(settings_for, sandbox_exchange, retry):
    opened = []

    async def run(client_id: str = CLIENT_ID, **env) -> dict[str, selftest.Finding]:
        settings = settings_for(**env)
        graph = TenantGraph(settings, retry=retry)
        opened.append(graph)
        test = selftest.SelfTest(settings, graph, sandbox_exchange, client_id=client_id,
                                 clock=lambda: datetime(2026, 11, 28, tzinfo=timezone.utc))
        return {finding.grant.name: finding for finding in await test.run()}

    yield run
    for graph in opened:
        await graph.aclose()


def withhold(sandbox, *, permissions=(), **identity) -> None:
    scenario = sandbox.scenario()
    scenario["permissions"]["withheld"] = list(permissions)
    scenario["identity"] = identity
    sandbox.load(scenario)


async def test_a_fully_granted_identity_passes_with_every_grant_found(run_selftest):
    findings = await run_selftest()
    assert {name: f.status for name, f in findings.items() if f.status != selftest.OK} == {}
    assert findings["User.Read.All"].detail == "granted"
    assert findings["Remove-BlockedSenderAddress"].detail == "in a role assigned to the app"
    assert findings["Mail.Send"].detail == "NOTIFY_SENDER is in scope"
    assert not selftest.failing(list(findings.values()))


async def test_a_withheld_graph_permission_is_missing_and_names_setup(sandbox, run_selftest):
    withhold(sandbox, permissions=["Domain.Read.All"])
    finding = (await run_selftest())["Domain.Read.All"]
    assert finding.status == selftest.MISSING and "Insufficient privileges" in finding.detail
    assert finding.fix == selftest.SETUP


async def test_a_write_permission_missing_in_dry_run_is_a_warning_and_in_enforce_a_failure(sandbox, run_selftest):
    withhold(sandbox, permissions=["User.RevokeSessions.All"])
    dry = await run_selftest()
    assert dry["User.RevokeSessions.All"].status == selftest.WARNING
    assert not selftest.failing(list(dry.values()))
    enforce = await run_selftest(REMEDIATION_MODE="enforce")
    assert enforce["User.RevokeSessions.All"].status == selftest.MISSING
    assert enforce["User.RevokeSessions.All"].detail == "not granted to the identity"


async def test_a_cmdlet_outside_the_role_group_is_missing_and_names_the_exchange_script(sandbox, run_selftest):
    cmdlets = ["Get-BlockedSenderAddress", "Get-Mailbox", "Set-Mailbox", "Get-InboxRule", "Disable-InboxRule",
               "Get-ManagementRoleAssignment", "Get-ManagementRoleEntry", "Test-ServicePrincipalAuthorization"]
    withhold(sandbox, exchangeCmdlets=cmdlets)
    finding = (await run_selftest(REMEDIATION_MODE="enforce"))["Remove-BlockedSenderAddress"]
    assert finding.status == selftest.MISSING and finding.detail == "no role assigned to the app holds it"
    assert finding.fix == selftest.EXCHANGE_SCRIPT


async def test_mail_send_scoped_to_another_mailbox_is_missing(sandbox, run_selftest):
    withhold(sandbox, mailSendScope=["someone.else@contoso.com"])
    finding = (await run_selftest())["Mail.Send"]
    assert finding.status == selftest.MISSING and "not in the scope" in finding.detail


async def test_without_the_user_administrator_role_enforce_fails(sandbox, run_selftest):
    withhold(sandbox, directoryRoles=[])
    finding = (await run_selftest(REMEDIATION_MODE="enforce"))["User Administrator"]
    assert finding.status == selftest.MISSING and finding.detail == "not assigned to the identity"


async def test_an_unknown_identity_falls_back_to_the_probes(run_selftest):
    findings = await run_selftest(client_id="")
    assert findings["Domain.Read.All"].status == selftest.OK and findings["Domain.Read.All"].detail == "the call worked"
    assert findings["User Administrator"].status == selftest.UNKNOWN


async def test_the_feature_switches_decide_what_is_checked(sandbox, run_selftest):
    withhold(sandbox, permissions=["User.EnableDisableAccount.All"])
    assert "User.EnableDisableAccount.All" not in await run_selftest()
    findings = await run_selftest(REMEDIATION_MODE="enforce", DISABLE_ACCOUNT_ON_RECURRENCE="true")
    assert findings["User.EnableDisableAccount.All"].status == selftest.MISSING


def test_the_command_prints_the_table_and_exits_non_zero_when_a_feature_would_fail(sandbox):
    withhold(sandbox, permissions=["User.Read.All"])
    env = {"PATH": "/usr/bin:/bin", **sandbox.env(), **NOTIFY, "AZURE_CLIENT_ID": CLIENT_ID}
    done = subprocess.run([sys.executable, "-m", "remediation", "selftest"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    [line] = [line for line in done.stdout.splitlines() if line.split()[1:2] == ["User.Read.All"]]
    assert line.startswith("missing") and line.rstrip().endswith(selftest.SETUP)
    assert done.stdout.splitlines()[0].split()[:3] == ["status", "grant", "feature"]


def test_the_command_refuses_invalid_settings_with_exit_2(sandbox):
    env = {"PATH": "/usr/bin:/bin", **sandbox.env(), "AZURE_CLOUD": "Mars"}
    done = subprocess.run([sys.executable, "-m", "remediation", "selftest"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "AZURE_CLOUD must be one of" in done.stderr


async def test_the_deep_health_check_carries_the_self_test(live, sandbox):
    withhold(sandbox, permissions=["UserAuthenticationMethod.ReadWrite.All"])
    checks = (await live.worker().health.check(deep=True))["checks"]
    assert checks["permissions"]["ok"] is False
    [finding] = [item for item in checks["permissions"]["findings"]
                 if item["grant"] == "UserAuthenticationMethod.ReadWrite.All"]
    assert finding["status"] == "missing" and finding["fix"] == selftest.SETUP


async def test_a_protected_group_is_probed_with_check_member_groups(sandbox, run_selftest):
    withhold(sandbox, permissions=["GroupMember.Read.All"])
    finding = (await run_selftest(PROTECTED_ACCOUNTS="6e0f4c2e-9c3b-4d2a-9b1f-0c7d2c1b5a90"))["GroupMember.Read.All"]
    assert finding.status == selftest.MISSING and "Insufficient privileges" in finding.detail


async def test_without_its_own_read_permission_the_self_test_says_so_and_probes_the_rest(sandbox, run_selftest):
    withhold(sandbox, permissions=["Application.Read.All"])
    findings = await run_selftest()
    # app_consents reads the consented apps with it too: no longer the self-test's alone.
    assert findings["Application.Read.All"].status == selftest.MISSING
    assert "needed only by" not in findings["Application.Read.All"].detail
    assert findings["Domain.Read.All"].detail == "the call worked"
    assert selftest.failing(list(findings.values()))


async def test_a_probe_that_fails_for_another_reason_proves_nothing(run_selftest):
    findings = await run_selftest(client_id="", NOTIFY_SENDER="nobody@contoso.com")
    assert findings["MailboxSettings.ReadWrite"].status == selftest.UNKNOWN


def test_the_command_probes_the_management_api_when_the_webhook_is_on(sandbox):
    withhold(sandbox, permissions=["ActivityFeed.Read"])
    env = {"PATH": "/usr/bin:/bin", **sandbox.env(), **NOTIFY, "O365_WEBHOOK_AUTH_ID": "auth-id"}
    done = subprocess.run([sys.executable, "-m", "remediation", "selftest"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    [line] = [line for line in done.stdout.splitlines() if line.split()[1:2] == ["ActivityFeed.Read"]]
    assert line.startswith("missing") and "did not include the expected permission ActivityFeed.Read" in line
    assert line.rstrip().endswith(selftest.SETUP)
    assert done.returncode == 1
