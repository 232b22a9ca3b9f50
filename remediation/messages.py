"""The queue's message kinds and how each message is written (one definition of each)."""

from __future__ import annotations

from remediation.models import FOLLOW_UP

# `follow_up` is both the step and the message that runs it.
RUN, FETCH_CONTENT, APPROVAL_TIMEOUT, WATCH = "run", "fetch_content", "approval_timeout", "watch"
KINDS = (RUN, FOLLOW_UP, FETCH_CONTENT, APPROVAL_TIMEOUT, WATCH)
DEFERRALS = "deferrals"   # how often a throttled message was sent back later


def run_message(job_id: str) -> dict:
    return {"kind": RUN, "jobId": job_id}


def follow_up_message(job_id: str, attempt: int) -> dict:
    return {"kind": FOLLOW_UP, "jobId": job_id, "attempt": attempt}


def watch_message(job_id: str, check: int) -> dict:
    return {"kind": WATCH, "jobId": job_id, "check": check}


def approval_timeout_message(job_id: str) -> dict:
    return {"kind": APPROVAL_TIMEOUT, "jobId": job_id}


def fetch_content_message(pointer: dict) -> dict:
    return {"kind": FETCH_CONTENT, "contentId": pointer["contentId"], "contentUri": pointer["contentUri"],
            "tenantId": pointer["tenantId"]}
