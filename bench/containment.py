"""Time to containment by path: from the moment a block appears to the password rotated and the
sessions revoked, for each way the app hears of it (the sweep, the O365 webhook, Azure Monitor,
Sentinel, the Graph alerts_v2 poll).

One local host per path (function_app.py, Azurite, the sandbox tenant), users blocked one at a
time. The sandbox records when it changed the password and revoked the sessions (milliseconds);
the block appears when this script asks the sandbox for it. The timers run every 10 s here instead of their defaults (sweep 1 min, alerts_v2
poll 5 min: add half the period on average). Microsoft's own delay before it raises the alert or
fires Azure Monitor and Sentinel (minutes) is not in these figures: the alerts are sent at once.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import datetime

import httpx

from bench._stack import TERMINAL, stack
from localdev.tenant import scenario as scenarios
from localdev.tenant.crowd import crowd
from tests.e2e.support import ALERTS_SUBMIT, azure_monitor_alert, sentinel_incident

EVERY_10_S = "*/10 * * * * *"
PATHS = {"sweep": {"SWEEP_SCHEDULE": EVERY_10_S}, "o365": {}, "azure-monitor": {}, "sentinel": {},
         "alerts_v2": {"ALERTS_POLL_SCHEDULE": EVERY_10_S}}


def _epoch(moment: str) -> float:
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).timestamp()


def _subscribe(app) -> None:
    feed = f"{app.sandbox_url}/api/v1.0/{app.settings['TENANT_ID']}/activity/feed/subscriptions/start"
    webhook = {"address": f"{app.url}/api/alerts/o365", "authId": app.settings["O365_WEBHOOK_AUTH_ID"]}
    httpx.post(feed, params={"contentType": "Audit.General"}, json={"webhook": webhook}, timeout=30).raise_for_status()


def _report(app, path: str, user: str) -> None:
    """Block the user (the sandbox raises its alert too) and tell the app the way `path` would."""
    app.control("POST", "alerts/restricted-sender", {"user": user, "notify": path == "o365"})
    if path == "azure-monitor":
        app.http.post("/api/alerts/azure-monitor", json=azure_monitor_alert(user),
                      headers={"x-functions-key": app.settings["FUNCTIONS_KEY"]}).raise_for_status()
    elif path == "sentinel":
        app.http.post("/api/alerts/sentinel", json=sentinel_incident(user),
                      headers=app.bearer(ALERTS_SUBMIT)).raise_for_status()


def measure(path: str, users: int) -> list[float]:
    scenario, upns = crowd(scenarios.read(scenarios.SCENARIOS / "test.yaml"), "adele@contoso.com", users)
    samples = []
    with stack({**scenario, "blockedSenders": [], "alerts": []}, settings=PATHS[path]) as app:
        if path == "o365":
            _subscribe(app)
        for upn in upns:
            blocked = time.time()
            _report(app, path, upn)
            app.wait_until(lambda: any(j["user"] == upn and j["status"] in TERMINAL for j in app.jobs()), 120,
                           f"the job for {upn}")
            state = app.state()
            user = next(u for u in state["users"] if u["userPrincipalName"] == upn)
            contained = max(_epoch(state["passwordChanges"][user["id"]][0]["at"]),
                            _epoch(state["revocations"][user["id"]][0]))
            samples.append(contained - blocked)
    return samples


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=3, help="blocks per path, one at a time (default 3)")
    parser.add_argument("--paths", nargs="*", default=list(PATHS), choices=list(PATHS))
    args = parser.parse_args(argv)
    print(f"{'path':14} {'block -> contained: median':>27} {'max':>8}")
    for path in args.paths:
        contained = measure(path, args.users)
        print(f"{path:14} {statistics.median(contained):25.2f} s {max(contained):6.2f} s", flush=True)


if __name__ == "__main__":
    main()
