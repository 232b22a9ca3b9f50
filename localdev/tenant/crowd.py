"""Many compromised users at once, for the suites and benchmarks: copies of one user of a scenario.

`crowd(scenario, template, count)` adds `count` copies of the user `template` (its inbox rules,
mailbox and methods; a UPN `crowd<n>@<its domain>` and an object id of their own), each on the
blocked-senders list like the template, and returns the copy of the scenario and the new UPNs.
"""

from __future__ import annotations

import copy
import uuid


def crowd(scenario: dict, template: str, count: int) -> tuple[dict, list[str]]:
    result = copy.deepcopy(scenario)
    [user] = [user for user in result["users"] if user["userPrincipalName"] == template]
    [block] = [block for block in result["blockedSenders"] if block["SenderAddress"] == template]
    domain = template.partition("@")[2]
    upns = [f"crowd{n}@{domain}" for n in range(count)]
    for upn in upns:
        twin = copy.deepcopy(user)
        twin.update(id=str(uuid.uuid5(uuid.NAMESPACE_URL, upn)), userPrincipalName=upn, mail=upn,
                    displayName=upn.partition("@")[0], proxyAddresses=[f"SMTP:{upn}"])
        result["users"].append(twin)
        result["blockedSenders"].append({**block, "SenderAddress": upn})
    return result, upns
