"""`python -m localdev.host --port 7071`: run the app in the current folder (function_app.py,
host.json, local.settings.json) where Azure Functions Core Tools are not installed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from pathlib import Path

from localdev.host import logs
from localdev.host.config import HostConfig
from localdev.host.errors import HostError
from localdev.host.runtime import Host
from localdev.host.settings import LocalSettings, export

DEFAULT_PORT = 7071


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m localdev.host", description=__doc__)
    parser.add_argument("--port", type=int, help="0 picks a free port (default: Host.LocalHttpPort or 7071)")
    parser.add_argument("--bind", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--app", help="module or module:attribute of the FunctionApp "
                                      "(default: FUNCTIONS_APP or function_app)")
    parser.add_argument("--settings", type=Path, help="settings file (default: ./local.settings.json if present)")
    return parser.parse_args(argv)


async def _serve(host: Host) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stopping.set)
    await host.start()
    print("Functions:\n" + "".join(f"    {line}\n" for line in host.describe()), flush=True)
    names = ", ".join(function.name for function in host.functions)
    print(f"Host ready at {host.url} ({len(host.functions)} functions: {names})", flush=True)
    await stopping.wait()
    print("Stopping the host", flush=True)
    await host.stop()


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    folder = Path.cwd()
    try:
        local = LocalSettings.read(arguments.settings or folder / "local.settings.json",
                                   required=arguments.settings is not None)
        settings = local.merged_with(os.environ)
        export(settings)
        config = HostConfig.load(folder / "host.json")
        logs.configure(config.log_levels)
        port = arguments.port if arguments.port is not None else local.http_port or DEFAULT_PORT
        app = arguments.app or settings.get("FUNCTIONS_APP") or "function_app"
        asyncio.run(_serve(Host(app, settings=settings, config=config, port=port, bind=arguments.bind)))
    except HostError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
