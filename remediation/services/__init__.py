"""The domain's entry points, one class per kind of caller (docs/ARCHITECTURE.md has the table).

    Intake      every trigger: start a job (`request`), enqueue a webhook's content
    Admin       the admin API: read, approve and cancel jobs; the blocked list
    Worker      the queue trigger: `handle` one message
    Schedules   the timers: the sweep, the alerts_v2 poll, the poison report
    Health      GET /api/health

`wire` builds all five on one run context; a handler depends on the one it uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from remediation.context import Context
from remediation.services.admin import Admin
from remediation.services.health import Health
from remediation.services.intake import Intake
from remediation.services.schedules import Schedules
from remediation.services.worker import Worker


@dataclass(frozen=True)
class Services:
    context: Context
    intake: Intake
    admin: Admin
    worker: Worker
    schedules: Schedules
    health: Health


def wire(context: Context, management=None) -> Services:
    """The five services on `context`; `management` fetches the O365 webhook's content."""
    intake = Intake(context)
    return Services(context, intake, Admin(context), Worker(context, intake, management),
                    Schedules(context, intake), Health(context))
