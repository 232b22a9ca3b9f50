"""mailbox_delegates: remove FullAccess, SendAs and SendOnBehalf held outside the tenant
(remediation/delegates.py decides); internal and unresolved delegates are listed for a human."""

from __future__ import annotations

from remediation.delegates import INSIDE, OUTSIDE, UNRESOLVED, describe, place, record, reviewed
from remediation.errors import NotFoundError, PermanentError
from remediation.models import DONE, STEP_FAILED, STEP_PLANNED
from remediation.steps.context import Outcome, StepRun
from remediation.steps.inbox_rules import tenant_domains
from remediation.tenant import Delegate


async def _judged(run: StepRun, mailbox: str) -> tuple[list[Delegate], list[dict]]:
    found = reviewed(await run.ports.exchange.delegates(mailbox))
    domains = await tenant_domains(run.ports.directory)
    records = []
    for delegate in found:
        recipient = await run.ports.exchange.recipient(delegate.trustee)
        records.append(record(delegate, recipient, place(delegate, recipient, domains)))
    return found, records


def _listed(snapshot: list[dict]) -> str:
    parts = [f"{label}: {'; '.join(describe(item) for item in snapshot if item['where'] == where)}."
             for where, label in ((INSIDE, "Inside the tenant, for a human to check"),
                                  (UNRESOLVED, "Not resolved to an address, for a human to check"))
             if any(item["where"] == where for item in snapshot)]
    return " ".join(parts)


async def mailbox_delegates(run: StepRun) -> Outcome:
    mailbox = await run.mailbox()
    try:
        found, judged = await _judged(run, mailbox)
    except PermanentError as exc:
        return Outcome(STEP_FAILED, f"Could not read the mailbox's delegates: {exc}")
    snapshot = run.snapshot if isinstance(run.snapshot, list) else judged
    outside = [item for item in snapshot if item["where"] == OUTSIDE]
    listed = _listed(snapshot)
    data = {"outside": [describe(item) for item in outside], "listed": [describe(item) for item in snapshot
                                                                        if item["where"] != OUTSIDE]}
    if not outside:
        return Outcome(DONE, " ".join(filter(None, ["No delegate outside the tenant.", listed])), data, snapshot)
    names = "; ".join(describe(item) for item in outside)
    if run.dry_run:
        return Outcome(STEP_PLANNED, " ".join(filter(None, [f"Would remove {names}.", listed])), data, snapshot)
    await run.checkpoint(snapshot)
    held = {(delegate.right, delegate.trustee.lower()) for delegate in found}
    for item in outside:
        if (item["right"], item["trustee"].lower()) in held:   # not removed by an earlier attempt
            try:
                await _remove(run, mailbox, item)
            except PermanentError as exc:
                return Outcome(STEP_FAILED, f"Could not remove {describe(item)}: {exc}", data, snapshot)
    return Outcome(DONE, " ".join(filter(None, [f"Removed {names}.", listed])), data, snapshot)


async def _remove(run: StepRun, mailbox: str, item: dict) -> None:
    async def remove() -> None:
        try:
            await run.ports.exchange.remove_delegate(mailbox, Delegate.from_json(item))
        except NotFoundError:
            pass   # gone already (a human, or an attempt whose result was lost): the goal holds
    await run.act("remove mailbox delegate", mailbox, f"{describe(item)}, outside the tenant", remove)
