"""The watch: after `resolved`, a check every WATCH_INTERVAL_SECONDS for WATCH_DAYS.

Each check is a queue message with a visibility delay (no table scan on a timer), numbered:
a message whose number is already recorded is a duplicate and changes nothing. A check reads
again what the playbook secured: inbox rules (hidden ones too) and mailbox forwarding
(follow_up.came_back), authentication methods added since the resolution, and the block list.
Anything found escalates the job with what and when, and mails the team once per finding
(a claim per finding, as team_mail does). A new block starts a new job (one per block: the
block's claim names it), linked to this one both ways. Nothing found by WATCH_DAYS: a clean
watch. Only enforce jobs are watched (a dry run secured nothing to watch).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from remediation import notify
from remediation.context import Context
from remediation.came_back import came_back
from remediation.messages import watch_message
from remediation.models import ENFORCE, ESCALATED, Job, Trigger, iso, normalize_user, parse_iso
from remediation.ports import BLOCK, MAIL
from remediation.steps.auth_methods import PASSWORD_METHOD
from remediation.steps.confirm_block import block_created, block_key
from remediation.tenant import DirectoryUser

WATCH_SOURCE = "watch"   # job.trigger.source of a job a new block during a watch started
WATCHING, CLEAN = "watching", "clean"


async def begin(context: Context, job: Job) -> dict | None:
    """The watch of a job resolving now (its first check queued), or None when it gets none."""
    settings = context.settings
    if job.mode != ENFORCE or settings.watch_days <= 0:
        return None
    now = context.clock()
    await context.ports.queue.send(watch_message(job.id, 1), delay_seconds=settings.watch_interval_seconds)
    return {"since": iso(now), "until": iso(now + timedelta(days=settings.watch_days)),
            "intervalSeconds": settings.watch_interval_seconds, "checksMade": 0, "findings": [], "outcome": WATCHING}


class Watch:
    def __init__(self, context: Context, intake) -> None:
        self.context = context
        self.intake = intake   # starts the job of a new block

    async def check(self, job_id: str, number: int) -> Job:
        job = await self.context.journal.get(job_id)
        if not job.watch or job.watch["checksMade"] >= number or job.watch["outcome"] != WATCHING:
            return job   # a duplicate, or no watch
        now = self.context.clock()
        since = parse_iso(job.watch["since"]) or now
        user = await self.context.ports.directory.get_user(job.user)
        findings = (await self._blocks(job, since) + await came_back(self.context, job, user)
                    + await self._methods(user, since))
        seen = {item["what"] for item in job.watch["findings"]}
        new = [what for what in findings if what not in seen]
        for what in new:
            await self._mail_once(job, what)
        last = now + timedelta(seconds=job.watch["intervalSeconds"]) > parse_iso(job.watch["until"])
        if not last:
            # Sent before the check is saved: a duplicate is recognised by its number.
            await self.context.ports.queue.send(watch_message(job.id, number + 1),
                                                delay_seconds=job.watch["intervalSeconds"])
        return await self._record(job, number, new, last)

    async def _record(self, job: Job, number: int, new: list[str], last: bool) -> Job:
        at = iso(self.context.clock())

        def decide(current: Job) -> bool:
            watch = current.watch
            if not watch or watch["checksMade"] >= number:
                return False
            watch["checksMade"] = number
            watch["findings"] += [{"at": at, "what": what} for what in new]
            if new:
                current.status = ESCALATED
                current.summary = f"Escalated by the watch at {at}: " + "; ".join(new)
            if last:
                watch["outcome"] = CLEAN if not watch["findings"] else ESCALATED
            return True
        return await self.context.journal.change(job.id, decide, job)

    async def _blocks(self, job: Job, since) -> list[str]:
        """A block newer than the resolution: a new job for it (or the one that has it), linked."""
        listed = [block for block in await self.context.ports.exchange.blocked_senders(job.user)
                  if normalize_user(block.sender) == job.user]
        findings = []
        for block in listed:
            created = block_created(block)
            if created is None or created <= since:
                continue
            store = self.context.ports.store
            holder = await store.claimed(BLOCK, block_key(job.user, block.created))
            if holder is None:
                trigger = Trigger(WATCH_SOURCE, requested_by="the watch",
                                  reason=f"blocked again at {block.created}, during the watch of job {job.id}")
                holder = (await self.intake.request(job.user, trigger))[0].id
            await self._link(job.id, holder)
            findings.append(f"{job.user} was blocked again at {block.created}: job {holder} handles it")
        return findings

    async def _link(self, watched: str, other: str) -> None:
        for this, that in ((watched, other), (other, watched)):
            def decide(current: Job, that=that) -> bool:
                if that in current.linked_jobs:
                    return False
                current.linked_jobs.append(that)
                return True
            await self.context.journal.change(this, decide)

    async def _methods(self, user: DirectoryUser, since) -> list[str]:
        findings = []
        for method in await self.context.ports.directory.auth_methods(user.id):
            if method.type == PASSWORD_METHOD:
                continue   # the job's reset and the user's own change at next sign-in date it
            try:
                created = parse_iso(method.created)
            except ValueError:
                created = None
            if created and created > since:
                findings.append(f"authentication method {method.type} {method.label} was added at {method.created}")
        return findings

    async def _mail_once(self, job: Job, what: str) -> None:
        key = f"watch-mail|{job.id}|{hashlib.sha256(what.encode()).hexdigest()[:32]}"
        recipients, unable = await self.context.mailer.audience(job.user)
        if unable or await self.context.ports.store.claim(MAIL, key, job.id) is not None:
            return
        subject, body = notify.watch_finding(self.context.settings, job, what, iso(self.context.clock()))
        try:
            await self.context.mailer.send(recipients, subject, body)
        except Exception:
            await self.context.ports.store.release(MAIL, key, job.id)   # unsent: the redelivery mails
            raise

