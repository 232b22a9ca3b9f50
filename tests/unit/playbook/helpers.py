"""Small helpers the playbook unit tests share."""

from __future__ import annotations

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
              "exchange.disable_inbox_rule", "clear_mailbox_forwarding", "delete_permission_grant",
              "delete_auth_method", "confirm_compromised", "unblock", "send_mail")
    return [name for name, _ in tenant.calls if name in writes]
