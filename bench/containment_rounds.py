"""The standard remediation's critical path, in sequential round trips to the tenant.

Starts Azurite and an in-process sandbox tenant holding one compromised, blocked user (the
standard compromise plus an attacker's authenticator and a consent to an unverified mail app),
runs one enforce job through the real gateways, and reads the sandbox's request log: requests
whose times in flight overlap count as one round. Prints the rounds per step and in all.
"""

from __future__ import annotations

import argparse
import asyncio

import httpx

from bench.playbook_latency import TENANT, scenario
from bench.round_trips import call_name, rounds
from localdev.azurite import Azurite
from localdev.tenant.server import BackgroundSandbox
from remediation import bootstrap
from remediation.models import Trigger
from remediation.settings import Settings

USER = "user0@contoso.com"
APP = {"id": "7c1e4b2a-0f3d-4a5e-8b6c-9d0e1f2a3b4c", "appId": "e3a1b2c4-5d6e-4f70-8a9b-0c1d2e3f4a5b",
       "displayName": "Mail Organizer Pro", "appOwnerOrganizationId": "4c5d6e7f-8091-4a2b-b3c4-d5e6f7a8b9c0"}


def compromise() -> dict:
    tenant = scenario(1)
    user = tenant["users"][0]
    user["authenticationMethods"] = [{"@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
                                      "id": "6a5f3c1e-0d2b-4e7a-9c8f-1b2a3d4e5f60", "displayName": "Pixel 7",
                                      "createdDateTime": "2026-11-28T06:00:00Z"}]
    tenant["identity"] = {"servicePrincipals": [APP], "oauth2PermissionGrants": [
        {"id": "grant-phish", "clientId": APP["id"], "consentType": "Principal", "principalId": user["id"],
         "resourceId": "graph", "scope": "offline_access Mail.ReadWrite"}]}
    return tenant


async def run_job(settings: Settings) -> str:
    service = bootstrap.build(settings)
    try:
        job, _ = await service.intake.request(USER, Trigger("admin", requested_by="bench@contoso.com"))
        await service.worker.handle({"kind": "run", "jobId": job.id}, 1, 5)
        return (await service.admin.get(job.id)).status
    finally:
        await bootstrap.close(service)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--verbose", action="store_true", help="list every round's requests")
    args = parser.parse_args(argv)
    with Azurite() as azurite, BackgroundSandbox(compromise()) as sandbox:
        settings = Settings.from_env({
            "AzureWebJobsStorage": azurite.connection_string, "TENANT_ID": TENANT, "GRAPH_BASE_URL": sandbox.url,
            "EXCHANGE_BASE_URL": sandbox.url, "MANAGEMENT_API_BASE_URL": sandbox.url, "REMEDIATION_MODE": "enforce",
            "NOTIFY_SENDER": "secops@contoso.com", "NOTIFY_RECIPIENTS": "soc@contoso.com"})
        status = asyncio.run(run_job(settings))
        log = httpx.get(f"{sandbox.url}/_sandbox/requests").json()
    tenant = [item for item in log if "startedAt" in item and "/oauth2/" not in item["path"]]
    grouped = rounds(tenant)
    print(f"job {status}: {len(tenant)} requests to the tenant in {len(grouped)} sequential rounds")
    if args.verbose:
        for number, group in enumerate(grouped, 1):
            print(f"  {number:2}. " + " | ".join(call_name(item) for item in group))


if __name__ == "__main__":
    main()
