"""The generated password: strong, random, and never anywhere but in the one request."""

from __future__ import annotations

import string

import pytest

from remediation.errors import PermissionError_, ServiceRejectedError, ThrottledError, TransientError
from remediation.passwords import CLASSES, LENGTH, generate, reset_with_random_password


def test_a_password_has_every_class_and_the_length():
    for _ in range(200):
        password = generate()
        assert len(password) == LENGTH >= 20
        assert all(any(char in chars for char in password) for chars in CLASSES)


def test_passwords_differ():
    assert len({generate() for _ in range(500)}) == 500


def test_no_quote_space_or_backslash_needs_escaping_anywhere():
    assert not set("".join(CLASSES)) & set("\"' \\`")
    assert set(string.digits) <= set("".join(CLASSES))


class EchoingDirectory:
    """A directory whose failure messages carry the request body, as a careless SDK error might."""

    def __init__(self, error: type) -> None:
        self.error = error
        self.seen = ""

    async def reset_password(self, user_id: str, password: str) -> None:
        self.seen = password
        if self.error is RuntimeError:
            raise RuntimeError(f"boom with {password}")
        raise self.error(f'{{"passwordProfile": {{"password": "{password}"}}}} was refused', service="graph",
                         code=password)


@pytest.mark.parametrize("error", [ServiceRejectedError, PermissionError_, TransientError, ThrottledError])
async def test_a_failing_reset_raises_our_error_without_the_password(error):
    directory = EchoingDirectory(error)
    with pytest.raises(error, match=r"\[redacted\]\"\}\} was refused") as caught:
        await reset_with_random_password(directory, "id-adele")
    exc = caught.value
    assert directory.seen and directory.seen not in str(exc) and directory.seen not in repr(exc)
    assert directory.seen not in exc.message and directory.seen not in exc.code
    assert "[redacted]" in str(exc)
    assert exc.__cause__ is None and exc.__suppress_context__


async def test_an_unexpected_error_becomes_a_transient_one_without_the_password():
    directory = EchoingDirectory(RuntimeError)
    with pytest.raises(TransientError, match="password reset failed with RuntimeError") as caught:
        await reset_with_random_password(directory, "id-adele")
    assert directory.seen not in str(caught.value) and caught.value.__cause__ is None
