"""Proofs read from the sandbox's own records (its write log), not from what the app says it did.

    changes(requests)       the writes the tenant carried out: answered 2xx, or carried out before a
                            `timeout` fault dropped the answer; keyed by what they changed
    assert_each_change_once(sandbox)    no password reset, unblock or mail twice; any other write (a rule
                            disabled, forwarding cleared, sessions revoked) carried out again only when the
                            answer to the first never reached the app, and then as the same request: an
                            idempotent write re-sent leaves the item as the first left it
    assert_unblocks_converged(sandbox, jobs)    every unblocked sender's job secured the account first
"""

from __future__ import annotations

import json
from collections import Counter

from remediation.models import (
    DONE, INBOX_RULES, MAILBOX_FORWARDING, RESET_PASSWORD, REVOKE_SESSIONS, SKIPPED, UNBLOCK_SENDER,
)
from tests.plugins.sandbox import Sandbox

WRITES = ("POST", "PATCH", "PUT", "DELETE")
SECURING = (RESET_PASSWORD, REVOKE_SESSIONS, INBOX_RULES, MAILBOX_FORWARDING)
READ_CMDLETS = ("Get-",)


def _is_write(call: dict) -> bool:
    if call["method"] not in WRITES or "/oauth2/" in call["path"] or call["path"].endswith("/$batch"):
        return False
    return not (call["cmdlet"] or "").startswith(READ_CMDLETS) and not call["path"].startswith("/api/v1.0/")


def _key(call: dict) -> tuple[str, str, str]:
    return call["method"], call["path"], json.dumps(call["body"], sort_keys=True)


def _carried_out(requests: list[dict]) -> list[dict]:
    return [call for call in requests if _is_write(call) and ((call["status"] or 0) // 100 == 2 or call.get("applied"))]


def changes(requests: list[dict]) -> Counter:
    """How many times the tenant carried out each distinct write (method, path, body)."""
    return Counter(_key(call) for call in _carried_out(requests))


def _once_only(key: tuple[str, str, str]) -> bool:
    """Writes whose every repetition changes the tenant again: a password, an unblock, a mail."""
    method, path, body = key
    return "passwordProfile" in body or "Remove-BlockedSenderAddress" in body or path.endswith("/sendMail")


def _repeated(requests: list[dict]) -> dict:
    """The writes carried out twice that are not a re-sent idempotent write after a lost answer."""
    seen: dict[tuple, list[dict]] = {}
    for call in _carried_out(requests):
        seen.setdefault(_key(call), []).append(call)
    return {key: len(calls) for key, calls in seen.items() if len(calls) > 1
            and (_once_only(key) or not all(call.get("applied") for call in calls[:-1]))}


def assert_each_change_once(sandbox: Sandbox) -> Counter:
    state = sandbox.state()
    twice = {user: resets for user, resets in state["passwordChanges"].items() if len(resets) > 1}
    assert not twice, f"passwords reset more than once: {twice}"
    repeated = _repeated(sandbox.requests())
    assert not repeated, f"writes carried out more than once: {json.dumps(list(repeated.items()), indent=1)}"
    unblocked_twice = {sender: count for sender, count in state["unblocks"].items() if count > 1}
    assert not unblocked_twice, f"senders unblocked more than once: {unblocked_twice}"
    return changes(sandbox.requests())


def assert_unblocks_converged(sandbox: Sandbox, jobs: list[dict]) -> int:
    """No sender is off the blocked list unless its job's securing steps all ended done or skipped."""
    by_user = {job["user"].lower(): job for job in jobs}
    unblocked = [sender for sender, count in sandbox.state()["unblocks"].items() if count]
    for sender in unblocked:
        steps = {step["name"]: step["status"] for step in by_user[sender]["steps"]}
        unsafe = {name: steps.get(name) for name in SECURING if steps.get(name) not in (DONE, SKIPPED)}
        assert not unsafe and steps.get(UNBLOCK_SENDER) == DONE, f"{sender} unblocked with {steps}"
    return len(unblocked)
