"""Random passwords for the reset step, and the one way to hand one to the directory.

Entra ID wants 8-256 characters with three of the four classes (upper, lower, digit,
symbol); we always use all four and 24 characters from `secrets`. The value lives only
inside `reset_with_random_password`: it is never logged, stored, mailed, returned, or
left in an exception (a failing request's message or chained cause could carry the body).
"""

from __future__ import annotations

import copy
import secrets
import string

from remediation.errors import RemediationError, TransientError
from remediation.ports import Directory

LENGTH = 24
# Symbols Entra accepts; quotes, spaces and backslashes left out so no layer needs escaping.
SYMBOLS = "!@#$%^&*()-_=+[]{}:,.?~"
CLASSES = (string.ascii_uppercase, string.ascii_lowercase, string.digits, SYMBOLS)
REDACTED = "[redacted]"


def generate(length: int = LENGTH) -> str:
    if length < len(CLASSES) or length > 256:
        raise ValueError("a password has between 4 and 256 characters here")
    alphabet = "".join(CLASSES)
    characters = [secrets.choice(chars) for chars in CLASSES]
    characters += [secrets.choice(alphabet) for _ in range(length - len(CLASSES))]
    secrets.SystemRandom().shuffle(characters)
    return "".join(characters)


def _scrubbed(exc: RemediationError, secret: str) -> RemediationError:
    """A copy of `exc` with the secret cut out of every text attribute, and no cause or context."""
    clean = copy.copy(exc)
    for name, value in vars(clean).items():
        if isinstance(value, str):
            setattr(clean, name, value.replace(secret, REDACTED))
    clean.args = tuple(arg.replace(secret, REDACTED) if isinstance(arg, str) else arg for arg in exc.args)
    return clean


async def reset_with_random_password(directory: Directory, user_id: str) -> None:
    """Set a fresh random password that must be changed at next sign-in. Raises our errors only,
    scrubbed of the password and detached from the SDK exception that may carry the request."""
    password = generate()
    try:
        await directory.reset_password(user_id, password)
    except RemediationError as exc:
        error: RemediationError = _scrubbed(exc, password)
    except Exception as exc:  # noqa: BLE001 - an unexpected SDK error must not escape with the body
        error = TransientError(f"password reset failed with {type(exc).__name__}", service="graph")
    else:
        return
    finally:
        del password
    raise error from None
