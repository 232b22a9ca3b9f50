"""Storm throughput against a tenant that throttles like Graph and Exchange: how much of the
request budget the app uses while it works through a storm of blocks, and whether any job fails.

The sandbox gives the app a budget of `--budget` Graph and Exchange calls per 1 s window (a
`budget` fault, localdev/tenant/faults.py): each call past it answers 429 with Retry-After, as
Microsoft's per-app throttling does. `--blocks` users (default 1,000) are blocked at once and the
sweep finds them (breaker off); function_app.py runs on the local host. The figure is the calls
the tenant accepted per second over the budget, from the first call to the last follow-up.
"""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import datetime

from bench._stack import TERMINAL, stack
from localdev.tenant import scenario as scenarios
from localdev.tenant.crowd import crowd

SERVICES = r"^/(v1\.0|adminapi)/"


def _seconds(moment: str) -> float:
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).timestamp()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--blocks", type=int, default=1000)
    parser.add_argument("--budget", type=int, default=50, help="calls per 1 s window (default 50)")
    args = parser.parse_args(argv)
    scenario, users = crowd(scenarios.read(scenarios.SCENARIOS / "test.yaml"), "adele@contoso.com", args.blocks)
    scenario["blockedSenders"] = [block for block in scenario["blockedSenders"] if block["SenderAddress"] in users]
    settings = {"SWEEP_SCHEDULE": "*/5 * * * * *"}
    with stack({**scenario, "blockedSenders": [], "alerts": []}, settings=settings) as app:
        budget = {"kind": "budget", "path": SERVICES, "limit": args.budget, "windowSeconds": 1}
        app.control("POST", "scenario", {**scenario, "faults": [budget]})   # every block at once, for the sweep
        app.wait_until(lambda: len(jobs := app.jobs()) == args.blocks and all(j["status"] in TERMINAL for j in jobs),
                       60 + args.blocks * 3, f"{args.blocks} jobs to end")
        jobs, state = app.jobs(), app.state()
        calls = [call for call in app.requests() if call["path"].startswith(("/v1.0/", "/adminapi/"))]
    accepted = [call for call in calls if call["status"] != 429]
    elapsed = _seconds(max(call["at"] for call in calls)) - _seconds(min(call["startedAt"] for call in calls))
    resets = Counter(len(changes) for changes in state["passwordChanges"].values())
    print(f"{args.blocks} blocks, budget {args.budget} calls/s: {len(accepted)} calls accepted and "
          f"{len(calls) - len(accepted)} throttled in {elapsed:.0f} s = {len(accepted) / elapsed:.1f} calls/s, "
          f"{len(accepted) / elapsed / args.budget:.2f} of the budget")
    print(f"jobs: {dict(Counter(job['status'] for job in jobs))}; passwords reset once: {resets.get(1, 0)}, "
          f"more than once: {sum(count for times, count in resets.items() if times > 1)}")


if __name__ == "__main__":
    main()
