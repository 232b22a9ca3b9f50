"""Step 8: one summary mail to the security team (never to the compromised user).

A dry run mails its plan too, when recipients are set, clearly marked: it changes nothing
on the account and tells the team what an enforce run would do. A mail that an interrupted
attempt may have sent is not sent again (the job record has everything in it anyway).
"""

from __future__ import annotations

from remediation import notify
from remediation.errors import PermanentError
from remediation.models import DONE, SKIPPED, STEP_FAILED
from remediation.policies import conclusion
from remediation.steps.context import Outcome, StepRun

SEND_REQUESTED = "sendRequestedAt"


async def notify_team(run: StepRun) -> Outcome:
    mailer = notify.Mailer(run.settings, run.ports.directory)
    to, unable = await mailer.audience(run.job.user, run.user)
    if unable:
        return Outcome(SKIPPED, f"No summary mail: {unable}.")
    recipients = ", ".join(to)
    requested = run.step.data.get(SEND_REQUESTED)
    if run.resumed and requested:
        return Outcome(DONE, f"The summary mail to {recipients} was sent at {requested} by an attempt that stopped "
                             "before recording it; not sent twice.")
    status, outcome = conclusion(run.job)
    subject, body = notify.summary(run.settings, run.job, status, outcome)
    try:
        await run.once(SEND_REQUESTED, "send summary mail", recipients, "tell the security team what was done",
                       lambda: mailer.send(to, subject, body))
    except PermanentError as exc:
        return Outcome(STEP_FAILED, f"The summary mail to {recipients} could not be sent: {exc}")
    plan = "the dry-run plan" if run.dry_run else "the summary"
    return Outcome(DONE, f"Mailed {plan} to {recipients} from {run.settings.notify_sender}.")
