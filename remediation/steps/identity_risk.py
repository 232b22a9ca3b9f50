"""Tell Identity Protection the account is compromised (confirmCompromised): its risk goes to
high, so risk-based Conditional Access keeps challenging a sign-in that still gets through.

It needs Entra ID P2 and IdentityRiskyUser.ReadWrite.All; without either the step is `skipped`
with Graph's reason (the policy lets the unblock go ahead), never `failed`.
"""

from __future__ import annotations

from remediation.errors import PermanentError, PermissionError_
from remediation.models import DONE, SKIPPED, STEP_FAILED, STEP_PLANNED
from remediation.policies import POLICY_SKIP
from remediation.steps.context import Outcome, StepRun

WHY = "the account sent spam: Identity Protection should treat its sign-ins as high risk"


async def identity_risk(run: StepRun) -> Outcome:
    user = await run.user()
    upn = user.user_principal_name
    if run.dry_run:
        return Outcome(STEP_PLANNED, f"Would confirm {upn} compromised in Identity Protection (user risk high).")
    # Confirming twice changes nothing (the risk stays high): a redelivered message may repeat it.
    try:
        await run.act("confirm user compromised", upn, WHY, lambda: run.ports.directory.confirm_compromised(user.id))
    except PermissionError_ as exc:
        reason = (f"Identity Protection refused: {exc}. Confirming a user compromised needs Entra ID P2 and "
                  "IdentityRiskyUser.ReadWrite.All; without them the password reset and session revoke stand alone.")
        return Outcome(SKIPPED, reason, {POLICY_SKIP: reason})
    except PermanentError as exc:
        return Outcome(STEP_FAILED, f"confirmCompromised failed: {exc}")
    return Outcome(DONE, f"Confirmed {upn} compromised in Identity Protection: its user risk is high.")
