"""Remove the delegated consents a phishing app holds on the user's mail, files or contacts:
its refresh token outlives the password reset and the session revoke (illicit consent grant).

Only a grant the user gave (consentType Principal) to an app that is neither Microsoft's, nor
registered in this tenant, nor from a verified publisher, with a mail, mailbox settings, files
or contacts scope, is removed (APP_CONSENTS_ACTION=remove); every other grant is listed. The
snapshot keeps each whole grant: POST /oauth2PermissionGrants re-creates it.
"""

from __future__ import annotations

import asyncio

from remediation.consents import removal_reason, risky_scopes
from remediation.errors import NotFoundError, PermanentError
from remediation.models import DONE, SKIPPED, STEP_FAILED, STEP_PLANNED
from remediation.policies import POLICY_SKIP
from remediation.steps.context import Outcome, StepRun
from remediation.tenant_apps import PermissionGrant, ServicePrincipal

REPORT = "report"


def _record(grant: PermissionGrant, app: ServicePrincipal, reason: str | None) -> dict:
    return {"id": grant.id, "app": app.display_name, "appId": app.app_id, "publisher": app.verified_publisher,
            "consentType": grant.consent_type, "scope": grant.scope, "risky": risky_scopes(grant),
            "reason": reason}


async def _apps(run: StepRun, grants: list[PermissionGrant]) -> dict[str, ServicePrincipal]:
    """Each app once, read concurrently: they do not depend on each other."""
    ids = sorted({grant.client_id for grant in grants})
    found = await asyncio.gather(*(run.ports.directory.consented_app(client) for client in ids))
    return dict(zip(ids, found))


async def _remove(run: StepRun, suspect: list[dict], upn: str) -> None:
    for item in suspect:
        try:
            await run.act("remove app consent", f"{upn}: {item['app']} ({item['scope']})", item["reason"],
                          lambda grant=item["id"]: run.ports.directory.delete_permission_grant(grant))
        except NotFoundError:
            pass   # gone already (an earlier attempt, or an admin): that is the goal


async def app_consents(run: StepRun) -> Outcome:
    user = await run.user()
    upn = user.user_principal_name
    try:
        grants = await run.ports.directory.permission_grants(user.id)
        apps = await _apps(run, grants)
    except PermanentError as exc:
        return Outcome(STEP_FAILED, f"Could not read the app consents: {exc}")
    listed = [_record(grant, apps[grant.client_id], removal_reason(grant, apps[grant.client_id],
                                                                   run.settings.tenant_id)) for grant in grants]
    suspect = [item for item in listed if item["reason"]]
    kept = [item for item in listed if not item["reason"]]
    before = run.snapshot if isinstance(run.snapshot, dict) else {"grants": [grant.to_json() for grant in grants]}
    data = {"suspect": suspect, "kept": kept}
    names = "; ".join(f"{item['app']} ({item['scope']})" for item in suspect)
    if not suspect:
        removed = run.step.data.get("suspect") or []
        return Outcome(DONE, f"{len(kept)} app consent(s), none to an unverified outside app with mail, files or "
                             "contacts scopes." + (f" Removed earlier: {len(removed)}." if removed else ""),
                       data, before)
    if run.dry_run:
        return Outcome(STEP_PLANNED, f"Would remove the consent(s) of {upn} to: {names}.", data, before)
    if run.settings.app_consents_action == REPORT:
        reason = f"APP_CONSENTS_ACTION is report: the consent(s) of {upn} to {names} are for a human to remove."
        return Outcome(SKIPPED, reason, {**data, POLICY_SKIP: reason}, before)
    await run.checkpoint(before, suspect=suspect)
    try:
        await _remove(run, suspect, upn)
    except PermanentError as exc:
        return Outcome(STEP_FAILED, f"Graph refused to remove an app consent: {exc}", data)
    return Outcome(DONE, f"Removed the consent(s) of {upn} to: {names}. The snapshot keeps each grant whole "
                         "(a rollback re-creates it).", {**data, "removed": [item["id"] for item in suspect]}, before)
