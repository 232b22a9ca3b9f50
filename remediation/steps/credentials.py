"""Steps 2 and 3: reset the password, then revoke the sign-in sessions.

Graph cannot set the password of a user synchronized from on-premises AD, nor of a user in
a federated domain (the password lives at the identity provider): those are `manual`
steps with the exact action a human must take, never failures. Sessions are revoked only
after the password changed (or a human was asked to change it): revoking first would let
the attacker sign straight back in with the password they hold.
"""

from __future__ import annotations

from datetime import timedelta

from remediation.errors import PermanentError, PermissionError_, ServiceRejectedError
from remediation.models import DONE, MANUAL, RESET_PASSWORD, STEP_FAILED, STEP_PLANNED, SKIPPED, parse_iso
from remediation.passwords import LENGTH, reset_with_random_password
from remediation.steps.context import Outcome, StepRun
from remediation.tenant import DirectoryUser

RESET_REQUESTED = "resetRequestedAt"
WHY_RESET = "the account sent spam, so its password must be presumed known to the attacker"
ON_PREMISES_MASTERED = "on-premises mastered"   # Graph's 400 for a synced user


def synced_instructions(upn: str) -> str:
    return (f"{upn} is synchronized from on-premises Active Directory, so Entra ID cannot change its password. "
            "Reset it in on-premises AD (Active Directory Users and Computers, or Set-ADAccountPassword -Reset), "
            "tick 'User must change password at next logon', and let Entra Connect sync it "
            "(Start-ADSyncSyncCycle -PolicyType Delta).")


def revoke_again(upn: str) -> str:
    """The revocation this job makes comes before a human's reset: the attacker, who holds the old
    password, can sign in again until then, so the sessions must be revoked once more after it."""
    return (f" After the reset, revoke the sessions of {upn} again (Revoke-MgUserSignInSession, or 'Revoke "
            "sessions' on the user in the Entra admin center): this job revoked them before the new password.")


def disable_failed(upn: str, exc: PermanentError) -> str:
    """What a human must do when Graph could not disable the account: a synced one is disabled
    where it is mastered, in on-premises AD, and reaches Entra ID with the next sync."""
    if ON_PREMISES_MASTERED not in str(exc).lower():
        return f"Disabling the account failed: {exc}."
    return (f"Disabling the account failed: {exc}. {upn} is mastered in on-premises Active Directory: disable it "
            "there (Disable-ADAccount -Identity <its sAMAccountName>, or Active Directory Users and Computers), then "
            "let Entra Connect sync it (Start-ADSyncSyncCycle -PolicyType Delta).")


def _manual_reason(user: DirectoryUser, federated_domain: str | None) -> str | None:
    if user.on_premises_sync_enabled:
        return synced_instructions(user.user_principal_name)
    if federated_domain:
        return (f"{user.user_principal_name} is in the federated domain {federated_domain}: its password is kept by "
                "the federation's identity provider, not Entra ID. Reset it there (on-premises AD behind AD FS, "
                "or the third-party identity provider) and require a change at next sign-in.")
    return None


async def _federated_domain(run: StepRun, user: DirectoryUser) -> str | None:
    domains = await run.ports.directory.domains()
    return next((domain.id for domain in domains if domain.id.lower() == user.domain and domain.federated), None)


async def _contain(run: StepRun, user: DirectoryUser) -> str:
    """Optional containment while a human resets the password: block sign-in."""
    if not run.settings.disable_account_when_manual_reset or user.account_enabled is False:
        return ""
    if run.dry_run:
        return " Would also disable the account (DISABLE_ACCOUNT_WHEN_MANUAL_RESET) until then."
    try:
        await run.act("disable account", user.user_principal_name,
                      "the password cannot be rotated automatically (DISABLE_ACCOUNT_WHEN_MANUAL_RESET)",
                      lambda: run.ports.directory.disable_account(user.id))
    except PermanentError as exc:
        return " " + disable_failed(user.user_principal_name, exc)
    return " The account was disabled (accountEnabled false) until then: enable it after the reset."


def _took_effect(user: DirectoryUser, requested: str) -> bool:
    """The password changed at or after our request (its time is floored to the second, hence the slack)."""
    try:
        changed, asked = parse_iso(user.last_password_change), parse_iso(requested)
    except ValueError:
        return False   # unreadable: a human verifies
    return bool(changed and asked and changed >= asked - timedelta(seconds=1))


async def reset_password(run: StepRun) -> Outcome:
    user = await run.user()
    federated = await _federated_domain(run, user)
    snapshot = {"accountEnabled": user.account_enabled, "onPremisesSyncEnabled": user.on_premises_sync_enabled,
                "federatedDomain": federated}
    manual = _manual_reason(user, federated)
    if manual:
        contained = await _contain(run, user)
        status = STEP_PLANNED if run.dry_run else MANUAL
        return Outcome(status, manual + revoke_again(user.user_principal_name) + contained, {"manual": True},
                       snapshot)
    if run.dry_run:
        return Outcome(STEP_PLANNED, f"Would reset the password of {user.user_principal_name} to a random "
                                     f"{LENGTH}-character value and require a change at next sign-in.",
                       snapshot=snapshot)
    requested = run.step.data.get(RESET_REQUESTED)
    if run.resumed and requested:
        return _interrupted_reset(user, requested)
    await run.checkpoint(snapshot)
    try:
        await run.once(RESET_REQUESTED, "reset password", user.user_principal_name, WHY_RESET,
                       lambda: reset_with_random_password(run.ports.directory, user.id))
    except PermanentError as exc:
        return await _refused_reset(run, user, exc)
    return Outcome(DONE, f"Reset the password of {user.user_principal_name} to a random {LENGTH}-character value "
                         "(kept nowhere) and required a change at next sign-in.")


def _interrupted_reset(user: DirectoryUser, requested: str) -> Outcome:
    """The attempt that stopped may have changed the password or not. A second reset is never sent:
    Entra ID's lastPasswordChangeDateTime (read in this run) says whether it took effect, and if it
    cannot tell, a human verifies."""
    if _took_effect(user, requested):
        return Outcome(DONE, f"A password reset sent at {requested} by an attempt that stopped before recording "
                             f"its result took effect: Entra ID's lastPasswordChangeDateTime of "
                             f"{user.user_principal_name} is {user.last_password_change}. It is not sent again.",
                       {"verifiedBy": "lastPasswordChangeDateTime", "lastPasswordChange": user.last_password_change})
    return Outcome(MANUAL, f"A password reset was sent at {requested} by an attempt that stopped before "
                           "recording its result, and is not repeated (a job never resets a password twice). "
                           f"Verify in Entra ID that the password of {user.user_principal_name} changed then "
                           "(lastPasswordChangeDateTime), and reset it if it did not."
                           + revoke_again(user.user_principal_name), {"verify": True})


async def _refused_reset(run: StepRun, user: DirectoryUser, exc: PermanentError) -> Outcome:
    if isinstance(exc, ServiceRejectedError) and ON_PREMISES_MASTERED in str(exc).lower():
        contained = await _contain(run, user)
        return Outcome(MANUAL, synced_instructions(user.user_principal_name) + revoke_again(
            user.user_principal_name) + contained, {"manual": True})
    if isinstance(exc, PermissionError_):
        # The User Administrator role cannot reset an administrator's password (that takes Privileged
        # Authentication Administrator, which the app deliberately lacks): a human must.
        return Outcome(MANUAL, f"Graph refused the password reset ({exc}). If {user.user_principal_name} holds an "
                               "admin role, only a Privileged Authentication Administrator can reset it: reset it by "
                               "hand in the Entra admin center and require a change at next sign-in."
                               + revoke_again(user.user_principal_name), {"manual": True})
    return Outcome(STEP_FAILED, f"Graph refused the password reset: {exc}")


async def revoke_sessions(run: StepRun) -> Outcome:
    reset = run.job.step(RESET_PASSWORD)
    if reset.status not in (DONE, MANUAL, STEP_PLANNED):
        return Outcome(SKIPPED, f"Not revoked: the password was not reset (reset_password is {reset.status}); "
                                "revoking first would let the attacker sign straight back in.")
    user = await run.user()
    # A human resets the password later: until then the attacker can sign back in with the old one.
    again = (" The password is left to a human, so this revocation must be repeated after the manual reset."
             if reset.status == MANUAL or reset.data.get("manual") else "")
    if run.dry_run:
        return Outcome(STEP_PLANNED, f"Would revoke every sign-in session and refresh token of "
                                     f"{user.user_principal_name} (revokeSignInSessions).{again}")
    # Unlike a password reset, revoking again after an interrupted attempt is harmless (and
    # safer than trusting an unconfirmed one), so a resumed step simply revokes.
    try:
        await run.act("revoke sign-in sessions", user.user_principal_name, "end the attacker's sessions after the "
                      "password reset", lambda: run.ports.directory.revoke_sessions(user.id))
    except PermanentError as exc:
        return Outcome(STEP_FAILED, f"Graph refused to revoke the sessions: {exc}")
    if again:
        return Outcome(DONE, f"Revoked every sign-in session and refresh token of {user.user_principal_name}.{again}")
    return Outcome(DONE, f"Revoked every sign-in session and refresh token of {user.user_principal_name}: "
                         "every app must sign in again, with the new password.")
