"""App settings as Core Tools assemble them: local.settings.json `Values` under the process
environment (a variable set in the environment wins), and `%NAME%` references in binding
fields resolved from the result.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, MutableMapping

from localdev.host.errors import HostError

_REFERENCE = re.compile(r"%([^%]+)%")


@dataclass(frozen=True)
class LocalSettings:
    """What local.settings.json holds for the host: `Values` and `Host.LocalHttpPort`."""
    values: Mapping[str, str] = field(default_factory=dict)
    http_port: int | None = None

    @classmethod
    def read(cls, path: Path, *, required: bool = False) -> "LocalSettings":
        if not path.exists():
            if required:
                raise HostError(f"settings file {path} does not exist")
            return cls()
        try:
            document = json.loads(path.read_text(encoding="utf-8-sig"))
        except json.JSONDecodeError as exc:
            raise HostError(f"{path}: not valid JSON ({exc})") from None
        if document.get("IsEncrypted"):
            raise HostError(f"{path}: encrypted settings are not supported; set IsEncrypted to false")
        # Core Tools accept numbers and booleans in Values; apps see every setting as a string.
        values = {name: value if isinstance(value, str) else json.dumps(value)
                  for name, value in (document.get("Values") or {}).items() if value is not None}
        port = (document.get("Host") or {}).get("LocalHttpPort")
        return cls(values=values, http_port=int(port) if port else None)

    def merged_with(self, environ: Mapping[str, str]) -> dict[str, str]:
        """The app's settings: these values, overridden by any variable set in `environ`."""
        return {**self.values, **environ}


def export(settings: Mapping[str, str], environ: MutableMapping[str, str] | None = None) -> None:
    """Make every setting an environment variable before the app is imported, as the host does."""
    target = os.environ if environ is None else environ
    for name, value in settings.items():
        target.setdefault(name, value)


def resolve(value: str, settings: Mapping[str, str], *, where: str) -> str:
    """Replace each `%NAME%` in a binding field by the setting NAME; an unknown NAME is an error."""
    def lookup(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in settings:
            raise HostError(f"{where} refers to the setting '%{name}%', which is not set "
                            "(add it to local.settings.json Values or to the environment)")
        return settings[name]
    return _REFERENCE.sub(lookup, value)
