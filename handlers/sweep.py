"""The timers: the blocked-list sweep (the fast path: alerts may take an hour), the
Graph alerts_v2 poll, and the poison-queue report."""

from __future__ import annotations

import logging

import azure.functions as func

from handlers.runtime import schedules

bp = func.Blueprint()
log = logging.getLogger(__name__)


@bp.timer_trigger(arg_name="timer", schedule="%SWEEP_SCHEDULE%")
async def sweep_blocked_senders(timer: func.TimerRequest) -> None:
    jobs = await schedules().sweep()
    log.info("sweep: %d job(s) started or re-driven: %s", len(jobs), ", ".join(job.id for job in jobs))


@bp.timer_trigger(arg_name="timer", schedule="%ALERTS_POLL_SCHEDULE%")
async def poll_security_alerts(timer: func.TimerRequest) -> None:
    jobs = await schedules().poll_security_alerts()
    log.info("alerts_v2 poll: %d job(s) started: %s", len(jobs), ", ".join(job.id for job in jobs))


@bp.timer_trigger(arg_name="timer", schedule="%POISON_SCHEDULE%")
async def report_poison_messages(timer: func.TimerRequest) -> None:
    for entry in await schedules().poison_report():
        log.error("poison message: %s", entry)
