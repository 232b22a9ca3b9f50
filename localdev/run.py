"""`make run`: Azurite, the sandbox tenant and the app, then one demo alert end to end.
The admin console is at the app's root; it signs in at the sandbox's HTTPS address.

Starts everything on this machine, subscribes the sandbox's Management Activity API to
the app's O365 webhook, has the sandbox raise "User restricted from sending email" for the
demo user, and prints the job's timeline until it settles. Then it keeps serving until
Ctrl+C and prints a command that calls the admin API with a sandbox token.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Mapping

import httpx
import yaml

from localdev.azurite import Azurite
from localdev.ports import free_port, port_is_free, wait_for_http
from remediation.settings import SETTING_DEFAULTS

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "localdev" / "scenarios" / "demo.yaml"
DEFAULT_APP_PORT = 7071
AUDIENCE = "api://restricted-sender-responder"
SETTLED = ("resolved", "escalated", "failed", "cancelled", "planned")


def app_port(env: Mapping[str, str]) -> int:
    """APP_PORT if set and free (else SystemExit saying so); otherwise 7071 if free, else any free port."""
    wanted = env.get("APP_PORT", "").strip()
    if wanted:
        if not (wanted.isascii() and wanted.isdigit()) or not 0 < int(wanted) < 65536:
            raise SystemExit(f"APP_PORT={wanted!r} is not a port number")
        if not port_is_free(int(wanted)):
            raise SystemExit(f"APP_PORT {wanted} is taken by another program: stop it, or set APP_PORT to a free "
                             "port, or unset APP_PORT to let `make run` pick one")
        return int(wanted)
    return DEFAULT_APP_PORT if port_is_free(DEFAULT_APP_PORT) else free_port()


CONSOLE_CLIENT_ID = "c0a5e1e2-7b1d-4c3e-9f4a-5d6e7f8a9b0c"   # the console's app in demo.yaml


def sandbox_scenario(scenario: dict, app_url: str) -> dict:
    """The scenario with the console's redirect URI on the app's address (by IP and as localhost)."""
    apps = scenario["entra"]["apps"]
    redirects = sorted({f"{app_url}/redirect", f"{app_url.replace('127.0.0.1', 'localhost')}/redirect"})
    apps[CONSOLE_CLIENT_ID] = {**apps[CONSOLE_CLIENT_ID], "spa": {"redirectUris": redirects}}
    return scenario


def app_command(port: int) -> list[str]:
    if shutil.which("func"):
        return ["func", "start", "--port", str(port)]
    return [sys.executable, "-m", "localdev.host", "--port", str(port)]


def app_environment(storage: str, sandbox: str, tenant_id: str, auth_id: str,
                    port: int = DEFAULT_APP_PORT) -> dict[str, str]:
    # Binding expressions (%SWEEP_SCHEDULE%, %REMEDIATION_QUEUE%, ...) need every setting present, as in Azure.
    defaults = {name: value for name, value in SETTING_DEFAULTS.items() if value}
    return {
        **defaults, **os.environ, "AzureWebJobsStorage": storage, "FUNCTIONS_KEY": secrets.token_urlsafe(24),
        "TENANT_ID": tenant_id, "GRAPH_BASE_URL": sandbox,
        "EXCHANGE_BASE_URL": sandbox, "MANAGEMENT_API_BASE_URL": sandbox, "LOGIN_BASE_URL": sandbox,
        "API_AUDIENCE": AUDIENCE, "REMEDIATION_MODE": "enforce", "FOLLOW_UP_DELAY_SECONDS": "10",
        "O365_WEBHOOK_AUTH_ID": auth_id, "NOTIFY_SENDER": "secops@contoso.com",
        "NOTIFY_RECIPIENTS": "soc@contoso.com", "PUBLIC_BASE_URL": f"http://localhost:{port}",
        "FUNCTIONS_WORKER_RUNTIME": "python", "CONSOLE_CLIENT_ID": CONSOLE_CLIENT_ID,
    }


def print_timeline(client: httpx.Client, app: str, headers: dict, user: str, deadline: float) -> dict | None:
    seen: set[tuple] = set()
    job = None
    while time.monotonic() < deadline:
        items = client.get(f"{app}/api/remediations", params={"user": user}, headers=headers).json().get("items", [])
        if items:
            job = items[0]
            for step in job["steps"]:
                key = (step["name"], step["status"])
                if step["status"] != "pending" and key not in seen:
                    seen.add(key)
                    print(f"  {step['endedAt'] or step['startedAt'] or '':20}  {step['name']:20} {step['status']:8} "
                          f"{step['detail']}", flush=True)
            if ("job", job["status"]) not in seen:
                seen.add(("job", job["status"]))
                print(f"  job {job['id']} is {job['status']}", flush=True)
            if job["status"] in SETTLED:
                return job
        time.sleep(1)
    return job


def main() -> int:
    port = app_port(os.environ)
    processes: list[subprocess.Popen] = []
    logs = Path(tempfile.mkdtemp(prefix="responder-run-"))
    with Azurite() as azurite, open(logs / "sandbox.log", "w") as sandbox_log, open(logs / "app.log", "w") as app_log:
        try:
            sandbox_port, tls_port = free_port(), free_port()
            sandbox, sign_in = f"http://127.0.0.1:{sandbox_port}", f"https://127.0.0.1:{tls_port}"
            app = f"http://127.0.0.1:{port}"
            scenario = sandbox_scenario(yaml.safe_load(SCENARIO.read_text()), app)
            (logs / "scenario.json").write_text(json.dumps(scenario))
            processes.append(subprocess.Popen([sys.executable, "-m", "localdev.tenant", "--port", str(sandbox_port),
                                               "--tls-port", str(tls_port), "--scenario", str(logs / "scenario.json")],
                                              cwd=ROOT, stdout=sandbox_log, stderr=subprocess.STDOUT))
            wait_for_http(f"{sandbox}/_sandbox/health")
            tenant_id, user = scenario["tenant"]["id"], scenario["demo"]["user"]
            auth_id = secrets.token_urlsafe(24)
            env = {**app_environment(azurite.connection_string, sandbox, tenant_id, auth_id, port),
                   "CONSOLE_LOGIN_BASE_URL": sign_in}
            processes.append(subprocess.Popen(app_command(port), cwd=ROOT, env=env, stdout=app_log,
                                              stderr=subprocess.STDOUT))
            # Watching the process: another program that took the port meanwhile must not pass for the app.
            wait_for_http(f"{app}/api/health", timeout=90, server=processes[-1])
            print(f"\nApp on {app}, sandbox tenant on {sandbox}, Azurite at {azurite.endpoints['Queue']}\n"
                  f"Their logs: {logs}/app.log and {logs}/sandbox.log", flush=True)
            with httpx.Client(timeout=30) as client:
                feed = f"{sandbox}/api/v1.0/{tenant_id}/activity/feed"
                client.post(f"{feed}/subscriptions/start", params={"contentType": "Audit.General"},
                            json={"webhook": {"address": f"{app}/api/alerts/o365", "authId": auth_id,
                                              "expiration": ""}}).raise_for_status()
                print(f"Subscribed the Management Activity API (Audit.General) to {app}/api/alerts/o365")
                alert = client.post(f"{sandbox}/_sandbox/alerts/restricted-sender", json={"user": user}).json()
                print(f"The sandbox raised 'User restricted from sending email' for {user} "
                      f"(alert {alert.get('alertId')}); the job's timeline:", flush=True)
                token = client.post(f"{sandbox}/_sandbox/tokens",
                                    json={"aud": AUDIENCE, "roles": ["Remediation.Admin"],
                                          "upn": "admin@contoso.com"}).json()["access_token"]
                job = print_timeline(client, app, {"Authorization": f"Bearer {token}"}, user, time.monotonic() + 120)
            if job:
                print(f"\nJob {job['id']} ended {job['status']}: {job.get('summary', '')}")
            token_request = json.dumps({"aud": AUDIENCE, "roles": ["Remediation.Admin"], "upn": "admin@contoso.com"})
            print("\nStill serving. Call the admin API with a token from the sandbox's Entra ID:\n"
                  f"  TOKEN=$(curl -s -X POST {sandbox}/_sandbox/tokens -H 'Content-Type: application/json' "
                  f"-d '{token_request}' | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')\n"
                  f"  curl -s -H \"Authorization: Bearer $TOKEN\" '{app}/api/remediations?user={user}'\n"
                  f"\nThe admin console: {app}/ (sign in as any sandbox user, as admin or reader; the browser first "
                  f"asks you to trust the sandbox's self-signed sign-in address {sign_in}).\n"
                  "Press Ctrl+C to stop.", flush=True)
            stop = {signal.SIGINT, signal.SIGTERM}
            signal.pthread_sigmask(signal.SIG_BLOCK, stop)
            signal.sigwait(stop)
        except KeyboardInterrupt:
            pass
        finally:
            for process in reversed(processes):
                process.terminate()
            for process in processes:
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
