"""Function keys for HTTP auth levels, taken from settings (the host keeps them in storage;
locally they are settings so tests and `make run` can know them):

- `FUNCTIONS_MASTER_KEY`: the master key; the only key for `admin`, valid for every level;
- `FUNCTIONS_KEY`: the host's default key, valid for every `function`-level route;
- `FUNCTION_KEY_<NAME>`: a key for one function (NAME upper-cased, other characters as `_`).

A caller sends its key in the `code` query parameter or the `x-functions-key` header.
"""

from __future__ import annotations

import hmac
import re
from typing import Mapping

MASTER_KEY = "FUNCTIONS_MASTER_KEY"
HOST_KEY = "FUNCTIONS_KEY"
KEY_HEADER = "x-functions-key"
KEY_QUERY = "code"


def function_key_setting(function_name: str) -> str:
    return "FUNCTION_KEY_" + re.sub(r"[^A-Z0-9]", "_", function_name.upper())


class KeyChecker:
    def __init__(self, settings: Mapping[str, str]) -> None:
        self._settings = settings

    @staticmethod
    def settings_for(auth_level: str, function_name: str) -> list[str]:
        """The settings whose keys open a function of this (non-anonymous) auth level."""
        if auth_level.lower() == "admin":
            return [MASTER_KEY]
        return [MASTER_KEY, HOST_KEY, function_key_setting(function_name)]

    def _keys(self, auth_level: str, function_name: str) -> list[str]:
        names = self.settings_for(auth_level, function_name)
        return [self._settings[name] for name in names if self._settings.get(name)]

    def usable_for(self, auth_level: str, function_name: str) -> bool:
        """Whether any caller can pass this level: anonymous, or a key is configured for it."""
        return auth_level.lower() == "anonymous" or bool(self._keys(auth_level, function_name))

    def allows(self, auth_level: str, function_name: str, presented: str | None) -> bool:
        if auth_level.lower() == "anonymous":
            return True
        keys = self._keys(auth_level, function_name)
        # Compare with every key, in constant time, so timing says nothing about which one was close.
        matches = [hmac.compare_digest(key.encode(), (presented or "").encode()) for key in keys]
        return bool(presented) and any(matches)
