"""Sequential round trips and requests of one standard remediation and its follow-up, from the
sandbox's request log, beside the floor.

One standard compromise (localdev/scenarios/test.yaml's adele: an external forwarding rule, a
hidden rule, SMTP forwarding, a new authenticator), started by an admin's POST on the local host.
Each Graph and Exchange call is logged with its start and its answer; calls that overlap in time
count as one round (the critical path: the remediation cannot be faster than its rounds times a
round trip to Microsoft, about 50-150 ms from Azure). The follow-up is every call after the last
step of the run ended.

The floor follows from what each step needs: (1) the reads (user, block, rules, mailbox,
methods) at once; (2) the password reset beside the writes to rules and forwarding; (3) the
session revocation, which must follow the new password; (4) the unblock, which must follow every
securing step, beside the mail. The follow-up's floor is one round of reads.
"""

from __future__ import annotations

import argparse

from bench._stack import stack
from localdev.tenant import scenario as scenarios

USER = "adele@contoso.com"
FLOOR = {"remediation": 4, "follow-up": 1}


def rounds(calls: list[dict]) -> list[list[dict]]:
    """Calls grouped into rounds: a call that starts before every call of the current round answered
    overlaps it (ISO times of one clock compare as text)."""
    grouped: list[list[dict]] = []
    end = ""
    for call in sorted(calls, key=lambda call: call["startedAt"]):
        if grouped and call["startedAt"] < end:
            grouped[-1].append(call)
            end = max(end, call["at"])
        else:
            grouped.append([call])
            end = call["at"]
    return grouped


def call_name(call: dict) -> str:
    return call.get("cmdlet") or f"{call['method']} {call['path'].split('/v1.0', 1)[-1]}"


def _print(title: str, grouped: list[list[dict]]) -> None:
    total = sum(len(group) for group in grouped)
    print(f"{title}: {total} requests in {len(grouped)} sequential rounds (floor: {FLOOR[title]} rounds)")
    for number, group in enumerate(grouped, 1):
        print(f"  {number:2}. " + " | ".join(call_name(call) for call in group))


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__).parse_args(argv)
    with stack(scenarios.read(scenarios.SCENARIOS / "test.yaml")) as app:
        app.http.post("/api/remediations", json={"user": USER}, headers=app.bearer("Remediation.Admin")).raise_for_status()
        job = app.wait_until(lambda: next((job for job in app.jobs() if job["status"] == "resolved"), None), 120,
                             "the job to be resolved after its follow-up")
        run_ended = max(step["endedAt"] for step in job["steps"] if step["name"] != "follow_up" and step["endedAt"])
        calls = [call for call in app.requests() if call["path"].startswith(("/v1.0/", "/adminapi/"))]
    _print("remediation", rounds([call for call in calls if call["startedAt"] <= run_ended]))
    _print("follow-up", rounds([call for call in calls if call["startedAt"] > run_ended]))


if __name__ == "__main__":
    main()
