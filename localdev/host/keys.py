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

    def configured(self, setting: str) -> str | None:
        return self._settings.get(setting) or None

    def allows(self, auth_level: str, function_name: str, presented: str | None) -> bool:
        level = auth_level.lower()
        if level == "anonymous":
            return True
        names = [MASTER_KEY] if level == "admin" else [MASTER_KEY, HOST_KEY, function_key_setting(function_name)]
        keys = [key for key in map(self.configured, names) if key]
        # Compare with every key, in constant time, so timing says nothing about which one was close.
        matches = [hmac.compare_digest(key.encode(), (presented or "").encode()) for key in keys]
        return bool(presented) and any(matches)
