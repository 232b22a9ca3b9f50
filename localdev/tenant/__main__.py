"""`python -m localdev.tenant --port P [--scenario FILE]`: serve the sandbox tenant until interrupted.

Prints `Sandbox tenant listening on http://HOST:PORT` once it accepts connections (with
`--port 0`, the port it picked), so a parent process can read the URL from its stdout; with
`--tls-port P` it also serves HTTPS (a self-signed certificate) for browsers signing in with
MSAL, and prints `... and on https://HOST:P`.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from localdev.tenant import scenario
from localdev.tenant.app import create_app
from localdev.tenant.server import start


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m localdev.tenant", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True, help="port to listen on (0: any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--tls-port", type=int, default=None,
                        help="also serve HTTPS on this port (0: any free port), Entra's issuer then names it")
    parser.add_argument("--scenario", default=str(scenario.SCENARIOS / "demo.yaml"),
                        help="scenario file, YAML or JSON (default localdev/scenarios/demo.yaml)")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    runner, url, tls_url = await start(create_app(scenario.load(args.scenario)), args.host, args.port, args.tls_port)
    print(f"Sandbox tenant listening on {url}" + (f" and on {tls_url}" if tls_url else ""), flush=True)
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopped.set)
    try:
        await stopped.wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        asyncio.run(serve(args))
    except scenario.ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
