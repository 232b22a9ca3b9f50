"""What the Azure Monitor and Sentinel intake routes share: a job per alerted user, answered at once."""

from __future__ import annotations

import azure.functions as func

from handlers.http_errors import json_response
from handlers.http_io import origin
from handlers.runtime import intake
from remediation.intake import AlertedUser, is_object_id
from remediation.models import Trigger, normalize_user


async def start_jobs(req: func.HttpRequest, source: str, alerted: list[AlertedUser],
                     requested_by: str) -> func.HttpResponse:
    """202 when a job started, 200 when every user already had one (or the alert named nobody)."""
    jobs, started = [], False
    for item in alerted:
        user = item.user if is_object_id(item.user) else normalize_user(item.user)
        trigger = Trigger(source, alert_id=item.alert_id, requested_by=requested_by)
        job, created = await intake().request(user, trigger)
        started = started or created
        jobs.append({"id": job.id, "user": job.user, "status": job.status, "created": created,
                     "url": job.to_json(origin(req))["url"]})
    return json_response({"jobs": jobs}, 202 if started else 200)
