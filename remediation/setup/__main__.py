"""`python -m remediation.setup [--dry-run] [--admin-unit ID] [--exchange-script PATH] [--azure-monitor]`

Configured by the environment: the app's settings (TENANT_ID, AZURE_CLOUD, NOTIFY_SENDER, the
feature switches) and azd's outputs (MANAGED_IDENTITY_CLIENT_ID, AZURE_TENANT_ID,
AZURE_FUNCTION_URL), which azd passes to its hooks. Signs in as you (azure-identity: az or azd
login); you need Application Administrator and Privileged Role Administrator (or Global
Administrator). Prints one line per item; exit 1 when a step failed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Mapping

from remediation import permissions as table
from remediation.clouds import authority
from remediation.errors import ConfigurationError, RemediationError
from remediation.settings import Settings, is_loopback
from remediation.setup.changes import CREATE, MANUAL, UNCHANGED, UPDATE, Change, summary

CONTENT_TYPE = "Audit.General"   # the alert policy records come in this content type
AZURE_MONITOR_APP = "461e8683-5575-4561-ac7f-899cc907d62a"   # AzNS AAD Webhook: Azure Monitor's secure webhooks


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m remediation.setup", description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    parser.add_argument("--admin-unit", default=None,
                        help="object id of an administrative unit: the User Administrator role is scoped to it")
    parser.add_argument("--exchange-script", default="exchange-setup.ps1", help="where to write the Exchange script")
    parser.add_argument("--no-azd", action="store_true", help="do not set API_AUDIENCE in the azd environment")
    parser.add_argument("--azure-monitor", action="store_true",
                        help="give Azure Monitor's secure webhooks (AzNS AAD Webhook) the Alerts.Submit role")
    return parser.parse_args(argv)


def setup_env(env: Mapping[str, str]) -> dict[str, str]:
    """The app's settings as azd knows them: its outputs stand in for settings left empty."""
    merged = dict(env)
    for setting, output in (("TENANT_ID", "AZURE_TENANT_ID"), ("PUBLIC_BASE_URL", "AZURE_FUNCTION_URL")):
        if not merged.get(setting) and merged.get(output):
            merged[setting] = merged[output]
    return merged


def admin_credential(settings: Settings, env: Mapping[str, str]):
    """The admin's own sign-in (never a managed identity); none for the sandbox."""
    if is_loopback(settings.graph_base_url):
        return None
    from azure.identity.aio import DefaultAzureCredential
    return DefaultAzureCredential(authority=authority(env), exclude_managed_identity_credential=True)


class Setup:
    def __init__(self, settings: Settings, args: argparse.Namespace, env: Mapping[str, str], credential) -> None:
        from remediation.gateways.management_api import ManagementActivityClient
        from remediation.gateways.tenant_grants import TenantGraph

        self.settings, self.args, self.env = settings, args, env
        self.graph = TenantGraph(settings, credential=credential)
        self.management = ManagementActivityClient(settings, credential=credential)

    async def aclose(self) -> None:
        await self.graph.aclose()
        await self.management.aclose()

    async def run(self) -> list[Change]:
        from remediation.setup import api_app, grants

        dry = self.args.dry_run
        app_id, changes = await api_app.ensure(self.graph, self.settings.tenant_id, dry_run=dry)
        changes += self._audience(app_id)
        if self.args.azure_monitor:
            changes += await api_app.grant_alerts_submit(self.graph, app_id, AZURE_MONITOR_APP, "Azure Monitor",
                                                         dry_run=dry)
        client_id = self.env.get("MANAGED_IDENTITY_CLIENT_ID", "")
        identity = await self.graph.service_principal(client_id) if client_id else None
        if identity is None:
            return changes + [Change(MANUAL, f"no managed identity {client_id or '(MANAGED_IDENTITY_CLIENT_ID unset)'}"
                                             ": run `azd provision` first, then this again")]
        changes += await grants.ensure_permissions(self.graph, identity, self.settings, dry_run=dry)
        changes += await grants.ensure_directory_role(self.graph, identity, self.settings,
                                                      admin_unit=self.args.admin_unit, dry_run=dry)
        changes += self._exchange_script(identity.app_id, identity.id)
        return changes + await self._subscription()

    def _audience(self, app_id: str | None) -> list[Change]:
        if app_id is None or self.settings.api_audience == app_id:
            return [] if app_id is None else [Change(UNCHANGED, f"API_AUDIENCE = {app_id}")]
        what = f"API_AUDIENCE = {app_id} in the azd environment (`azd provision` passes it to the app)"
        azd = shutil.which("azd")
        if self.args.no_azd or azd is None:
            return [Change(MANUAL, f"run `azd env set API_AUDIENCE {app_id}`, then `azd provision`")]
        if not self.args.dry_run and subprocess.run([azd, "env", "set", "API_AUDIENCE", app_id]).returncode != 0:
            return [Change(MANUAL, f"`azd env set API_AUDIENCE {app_id}` failed: run it, then `azd provision`")]
        return [Change(UPDATE, what)]

    def _exchange_script(self, app_id: str, object_id: str) -> list[Change]:
        from remediation.setup.exchange_script import script

        path = Path(self.args.exchange_script)
        text = script(self.settings, app_id, object_id)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text and not self.args.dry_run:
            path.write_text(text, encoding="utf-8")
        action = UNCHANGED if current == text else (CREATE if current is None else UPDATE)
        return [Change(action, f"Exchange script {path}"),
                Change(MANUAL, f"run {path} as an Exchange admin (pwsh), then `python -m remediation selftest`")]

    async def _subscription(self) -> list[Change]:
        if "o365_webhook" not in table.enabled_features(self.settings):
            vault = self.env.get("AZURE_KEY_VAULT_NAME")
            return [Change(MANUAL, "O365 webhook: export O365_WEBHOOK_AUTH_ID (az keyvault secret show --vault-name "
                                   f"{vault} --name o365-webhook-auth-id --query value -o tsv) and run this again to "
                                   "grant ActivityFeed.Read and start the subscription")] if vault else []
        address = f"{self.settings.public_base_url.rstrip('/')}/api/alerts/o365"
        what = f"Management Activity API subscription {CONTENT_TYPE} -> {address}"
        try:
            current = await self.management.list_subscriptions() or []
            if any(item.get("contentType") == CONTENT_TYPE and item.get("status") == "enabled"
                   and (item.get("webhook") or {}).get("address") == address for item in current):
                return [Change(UNCHANGED, what)]
            if not self.args.dry_run:
                await self.management.start_subscription(address, self.settings.o365_webhook_auth_id, CONTENT_TYPE)
        except RemediationError as exc:
            return [Change(MANUAL, f"{what}: {exc} (the webhook must answer first: run this again after "
                                   "`azd deploy`)")]
        return [Change(CREATE, what)]


async def main_async(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    settings = Settings.from_env(env)
    if not settings.tenant_id:
        raise ConfigurationError("TENANT_ID (or azd's AZURE_TENANT_ID) is not set")
    credential = admin_credential(settings, env)
    setup = Setup(settings, args, env, credential)
    try:
        changes = await setup.run()
    except RemediationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        await setup.aclose()
        if credential is not None:
            await credential.close()
    sys.stdout.write(summary(changes, args.dry_run))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return asyncio.run(main_async(args, setup_env(os.environ)))
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
