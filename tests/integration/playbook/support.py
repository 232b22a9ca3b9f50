"""What the playbook's integration tests share: reading the sandbox's request log, and a
port that dies right after a call (the worker process crashing before it records the change)."""

from __future__ import annotations

from dataclasses import replace

from remediation.context import Context
from remediation.models import Trigger
from remediation.permissions import EXCHANGE_CMDLET, TABLE
from remediation.services import Services, wire
from tests.unit.fakes import Crash

ADELE, LEE, DIEGO, NESTOR, ALEX = ("adele@contoso.com", "lee@contoso.com", "diego@fabrikam.com",
                                   "nestor@contoso.com", "alex@contoso.com")
EXECUTIVES = "c4a8e1f2-9b3d-4e5f-a6b7-c8d9e0f1a2b3"


def writes(requests: list[dict]) -> list[str]:
    """What the app changed in the tenant, in order, from the sandbox's request log."""
    names = []
    for request in requests:
        cmdlet = request.get("cmdlet") or ""
        if cmdlet:
            if not cmdlet.lower().startswith("get-"):
                names.append(cmdlet)
        elif request["method"] in ("PATCH", "DELETE") or (
                request["method"] == "POST" and not request["path"].endswith("checkMemberGroups")):
            names.append(f"{request['method']} {request['path'].split('/v1.0')[-1]}")
    return names


class CrashAfter:
    """A port that delegates to the real gateway and dies right after `method` returned."""

    def __init__(self, gateway, method: str) -> None:
        self._gateway = gateway
        self._method = method

    def __getattr__(self, name: str):
        attribute = getattr(self._gateway, name)
        if name != self._method:
            return attribute

        async def then_crash(*args, **kwargs):
            await attribute(*args, **kwargs)
            raise Crash(name)
        return then_crash


def crashing_worker(live, gateway: str, method: str) -> Services:
    """A worker whose `gateway` ("directory" or "exchange") crashes after `method`."""
    real = live.worker().context
    ports = replace(real.ports, **{gateway: CrashAfter(getattr(real.ports, gateway), method)})
    return wire(Context.build(real.settings, ports, live.clock))


ADMIN_TRIGGER = Trigger("admin", requested_by="admin@contoso.com")


async def run_as_admin(live, user: str, **settings):
    """A job an admin requested, run by a worker with `settings`; the job as stored afterwards."""
    worker = live.worker(**settings)
    job, _ = await worker.intake.request(user, ADMIN_TRIGGER)
    await live.work(worker)
    return await live.job(job.id)


def withhold_cmdlet(sandbox, cmdlet: str) -> None:
    """The app's Exchange role group without `cmdlet`."""
    scenario = sandbox.scenario()
    scenario.setdefault("identity", {})["exchangeCmdlets"] = [
        grant.name for grant in TABLE if grant.kind == EXCHANGE_CMDLET and grant.name != cmdlet]
    sandbox.load(scenario)


async def fails_without(live, sandbox, cmdlet: str, step: str):
    """A job run without `cmdlet`: `step` fails naming it, the job escalates, the sender stays blocked."""
    withhold_cmdlet(sandbox, cmdlet)
    job = await run_as_admin(live, ADELE)
    assert job.step(step).status == "failed" and cmdlet in job.step(step).detail
    assert job.status == "escalated" and "Remove-BlockedSenderAddress" not in writes(sandbox.requests())
    return job
