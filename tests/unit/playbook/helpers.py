"""Small helpers the playbook unit tests share."""

from __future__ import annotations

from remediation.errors import PermissionError_
from remediation.models import Job, Trigger

ADMIN = Trigger("admin", requested_by="admin@contoso.com")
SWEEP = Trigger("sweep", requested_by="blocked-list sweep")


async def run_job(playbook, user: str = "adele@contoso.com", trigger: Trigger = ADMIN, **kw) -> Job:
    """Request a job and deliver every message that is due now; the job as stored afterwards."""
    job, _ = await playbook.service.intake.request(user, trigger, **kw)
    await playbook.work()
    return await playbook.service.admin.get(job.id)


def statuses(job: Job) -> dict[str, str]:
    return {step.name: step.status for step in job.steps}


def changes(tenant) -> list[str]:
    """The calls that change the tenant, in order."""
    writes = ("reset_password", "revoke_sessions", "disable_account", "graph.disable_inbox_rule",
              "exchange.disable_inbox_rule", "clear_mailbox_forwarding", "remove_delegate", "delete_permission_grant",
              "delete_auth_method", "set_cas_settings", "confirm_compromised", "unblock", "send_mail")
    return [name for name, _ in tenant.calls if name in writes]


async def fails_without(playbook, method: str, cmdlet: str, step: str) -> Job:
    """A job whose port `method` finds `cmdlet` missing: `step` fails naming it and the sender stays blocked."""
    playbook.tenant.fail_next(method, PermissionError_(f"The term '{cmdlet}' is not recognized as a name of a cmdlet",
                                                       permission="Exchange role group"))
    job = await run_job(playbook)
    assert job.step(step).status == "failed" and cmdlet in job.step(step).detail
    assert playbook.tenant.count("unblock") == 0
    return job
