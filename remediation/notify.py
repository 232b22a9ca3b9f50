"""The mails to the security team: the run's summary, approval requests, the breaker, and
follow-up escalations. HTML with every value escaped (rule names, reasons and addresses
come from the attacker's side). Never sent to or from the compromised mailbox.
"""

from __future__ import annotations

from html import escape
from typing import Awaitable, Callable

from remediation.errors import NotFoundError, PermanentError
from remediation.evidence_mail import evidence_lines
from remediation.models import (
    AUTH_METHODS, DRY_RUN, PENDING, STEP_FAILED, STEP_NAMES, Job, normalize_user,
)
from remediation.policies import human_actions
from remediation.ports import Directory
from remediation.settings import Settings
from remediation.tenant import DirectoryUser

STYLE = "font-family:Segoe UI,Arial,sans-serif;font-size:14px"
UNDATED = "registration date unknown: check"   # an authentication method without a date
LEFT_TO_DO = STEP_NAMES[:-2]   # confirm_block .. unblock_sender: what secures and releases the account
NOT_CONFIGURED = "NOTIFY_SENDER and NOTIFY_RECIPIENTS (other than the user) are not both set"


def job_url(settings: Settings, job: Job) -> str:
    return f"{settings.public_base_url.rstrip('/')}/api/remediations/{job.id}"


def _items(lines: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>"


def _page(title: str, *sections: str) -> str:
    return f'<html><body style="{STYLE}"><h2>{escape(title)}</h2>{"".join(sections)}</body></html>'


def _link(url: str) -> str:
    return f'<p>The job: <a href="{escape(url, quote=True)}">{escape(url)}</a></p>'


def _who(job: Job) -> str:
    block = job.block or {}
    lines = [f"User: {job.user}", f"Trigger: {job.trigger.source}"
             + (f", alert {job.trigger.alert_id}" if job.trigger.alert_id else "")
             + (f", requested by {job.trigger.requested_by}" if job.trigger.requested_by else "")]
    if block:
        lines.append(f"Blocked since {block.get('createdDatetime')}; reason: {block.get('reason') or 'not given'}")
    return _items(lines)


def summary(settings: Settings, job: Job, status: str, outcome: str) -> tuple[str, str]:
    """The run's summary: who, what was found, what was changed, what needs a human, the job's URL."""
    dry_run = job.mode == DRY_RUN
    label = "DRY-RUN PLAN" if dry_run else "Restricted sender"
    sections = []
    if dry_run:
        sections.append(f"<p><strong>Dry run: nothing was changed on {escape(job.user)}'s account. "
                        "This is what an enforce run would do.</strong></p>")
    sections += [_who(job), f"<h3>Outcome: {escape(status)}</h3><p>{escape(outcome)}</p>"]
    needs = human_actions(job)
    methods = job.step(AUTH_METHODS).data
    if dry_run:
        needs += [f"Check the recently registered authentication method {item['type']} ({item['created']})"
                  for item in methods.get("recent") or []]
    needs += [f"Authentication method {item['type']}: {UNDATED}" for item in methods.get("undated") or []]
    if methods.get("registerAgain"):
        needs.append(f"No strong authentication method is left on {job.user}: the user must register MFA again "
                     "(https://aka.ms/mysecurityinfo) after signing in with the new password.")
    if needs:
        sections.append("<h3>Needs a human</h3>" + _items(needs))
    steps = [f"{step.name} [{step.status}]: {step.detail}" for step in job.steps if step.detail]
    sections.append("<h3>Steps</h3>" + _items(steps))
    evidence = evidence_lines(job.evidence)
    if evidence:
        sections.append("<h3>Evidence</h3>" + _items(evidence))
    if job.audit:
        sections.append("<h3>Changes made</h3>" + _items(_changes(job)))
    sections.append(_link(job_url(settings, job)))
    return f"[{label}] {job.user}: {status}", _page(f"{label}: {job.user}", *sections)


def _changes(job: Job) -> list[str]:
    return [f"{item.at} {item.action} {item.target}: {item.result}" for item in job.audit]


def job_failed(settings: Settings, job: Job) -> tuple[str, str]:
    """A job that stopped half-way: what it already changed on the tenant, and what is left to a human."""
    changed = ("<h3>Already changed on the tenant</h3>" + _items(_changes(job)) if job.audit
               else "<p>Nothing was changed on the tenant.</p>")
    left = [step.name for step in job.steps if step.name in LEFT_TO_DO and step.status in (PENDING, STEP_FAILED)]
    todo = ([f"Finish by hand what the job did not do: {', '.join(left)}."] if left else []) + human_actions(job) + [
        f"{job.user} may still be blocked from sending: take it off the blocked list (Remove-BlockedSenderAddress) "
        "only once the account is secured, or start a new job (POST /api/remediations) once the cause is fixed."]
    body = _page(f"Remediation failed: {job.user}", _who(job), f"<p>{escape(job.summary)}</p>", changed,
                 "<h3>What a human must do</h3>" + _items(todo), _link(job_url(settings, job)))
    return f"[Failed] {job.user}: remediation stopped", body


def approval_needed(settings: Settings, job: Job, reason: str) -> tuple[str, str]:
    url = job_url(settings, job)
    body = _page(f"Approval needed: {job.user}", _who(job), f"<p>{escape(reason)}.</p>",
                 f"<p>Approve with POST {escape(url)}/approve, or cancel with POST {escape(url)}/cancel.</p>",
                 _link(url))
    return f"[Approval needed] {job.user}", body


def hold_expired(settings: Settings, job: Job) -> tuple[str, str]:
    body = _page(f"Not approved in time: {job.user}", _who(job), f"<p>{escape(job.summary)}</p>",
                 _link(job_url(settings, job)))
    return f"[Escalated] {job.user}: approval timed out", body


def breaker_open(reason: str, hour: str) -> tuple[str, str]:
    body = _page("Automatic remediation paused", f"<p>{escape(reason)} (hour {escape(hour)} UTC).</p>",
                 "<p>New automatic jobs wait in awaiting_approval; list them with "
                 "GET /api/remediations?status=awaiting_approval.</p>")
    return "[Breaker open] automatic remediation paused", body


def follow_up_escalation(settings: Settings, job: Job, findings: list[str]) -> tuple[str, str]:
    body = _page(f"Escalated after the follow-up: {job.user}", _who(job), "<h3>Found</h3>" + _items(findings),
                 _link(job_url(settings, job)))
    return f"[Escalated] {job.user}: follow-up check", body


class Mailer:
    """Sends from NOTIFY_SENDER to NOTIFY_RECIPIENTS, never to or from the compromised user.

    The user is known by more than the job's key: the directory's UPN, mail and every SMTP proxy
    address reach the same mailbox, so a recipient (or the sender) matching any of them is left out."""

    def __init__(self, settings: Settings, directory: Directory) -> None:
        self.settings = settings
        self.directory = directory

    async def audience(self, user: str, lookup: Callable[[], Awaitable[DirectoryUser]] | None = None,
                       ) -> tuple[list[str], str | None]:
        """The recipients a mail about `user` may go to, or why no mail may be sent. `lookup` reads
        the user from the directory (a step passes its run's, which has read it already)."""
        if not self.settings.notify_sender or not self.settings.notify_recipients:
            return [], NOT_CONFIGURED
        try:
            addresses = await self._addresses(user, lookup or (lambda: self.directory.get_user(user)))
        except PermanentError as exc:
            return [], (f"the addresses of {user} could not be read from the directory ({exc}), so a mail might "
                        "reach the compromised mailbox")
        if normalize_user(self.settings.notify_sender) in addresses:
            return [], "NOTIFY_SENDER is the compromised mailbox itself"
        recipients = [address for address in self.settings.notify_recipients
                      if normalize_user(address) not in addresses]
        return (recipients, None) if recipients else ([], NOT_CONFIGURED)

    @staticmethod
    async def _addresses(user: str, lookup: Callable[[], Awaitable[DirectoryUser]]) -> set[str]:
        addresses = {normalize_user(user)}
        try:
            found = await lookup()
        except NotFoundError:
            return addresses   # no such user in the directory: no other address of theirs to avoid
        return addresses | found.addresses

    async def send(self, recipients: list[str], subject: str, html_body: str) -> None:
        """`recipients` as `audience` gave them."""
        await self.directory.send_mail(self.settings.notify_sender, recipients, subject, html_body)


def watch_finding(settings: Settings, job: Job, what: str, at: str) -> tuple[str, str]:
    """One finding of the watch after `resolved` (one mail per finding)."""
    body = _page(f"Came back during the watch: {job.user}", _who(job),
                 f"<p>{escape(at)}: {escape(what)}</p>",
                 "<p>The job is escalated: check the account, and contain it again by hand if it is not.</p>",
                 _link(job_url(settings, job)))
    return f"[Escalated] {job.user}: came back during the watch", body
