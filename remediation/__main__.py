"""`python -m remediation selftest [--client-id ID]`: check every grant the enabled features need.

Configured by the environment, like the app (Settings.from_env). Prints a table (ok / missing /
warning / unknown, and what to run) and exits 1 when an enabled feature would fail, 2 when the
settings are invalid. The calls are made with the app's credential: the managed identity inside
Azure (or `/api/health?deep=true`, which runs the same test), your own sign-in elsewhere, in
which case the grants read are the identity's (`--client-id`) but the probes are yours.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from remediation.errors import ConfigurationError
from remediation.settings import Settings


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m remediation", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    selftest = commands.add_parser("selftest", help="check the identity's permissions, feature by feature")
    selftest.add_argument("--client-id", default=None,
                          help="the managed identity's client id (default: AZURE_CLIENT_ID)")
    return parser.parse_args(argv)


async def run_selftest(settings: Settings, client_id: str | None) -> int:
    from remediation import selftest   # the SDKs load only for this command
    from remediation.gateways.exchange import ExchangeAdminClient
    from remediation.gateways.management_api import ManagementActivityClient
    from remediation.gateways.tenant_grants import TenantGraph

    clients = graph, exchange, management = (TenantGraph(settings), ExchangeAdminClient(settings),
                                             ManagementActivityClient(settings))
    try:
        identity = client_id if client_id is not None else selftest.identity_client_id(settings)
        findings = await selftest.SelfTest(settings, graph, exchange, management=management, client_id=identity).run()
    finally:
        for client in clients:
            await client.aclose()
    sys.stdout.write(selftest.render(findings))
    return 1 if selftest.failing(findings) else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return asyncio.run(run_selftest(settings, args.client_id))


if __name__ == "__main__":
    sys.exit(main())
