"""Route templates as the Functions host (ASP.NET Core routing) reads the ones the app uses:
literal segments (case-insensitive), `{name}` parameters and a last `{*name}` catch-all (the rest
of the path, maybe nothing: the console's route at the site's root). Constraints, optional
parameters and a catch-all before the end are refused rather than matched differently.
"""

from __future__ import annotations

import re

from localdev.host.errors import HostError

_PARAMETER = re.compile(r"^\{([A-Za-z_][A-Za-z0-9_]*)\}$")
_CATCH_ALL = re.compile(r"^\{\*([A-Za-z_][A-Za-z0-9_]*)\}$")
REFUSED = "the local host takes literal segments, {name} parameters and a last {*name} only"


class RouteTemplate:
    def __init__(self, template: str) -> None:
        self.template = template.strip("/")
        # Each segment: (literal, parameter name), one of them None.
        parts = [part for part in self.template.split("/") if part]
        last = _CATCH_ALL.match(parts[-1]) if parts else None
        self.catch_all = last.group(1) if last else None
        self._segments = tuple(self._parse(part) for part in (parts[:-1] if last else parts))

    @staticmethod
    def _parse(part: str) -> tuple[str | None, str | None]:
        if "{" not in part and "}" not in part:
            return part.lower(), None
        match = _PARAMETER.match(part)
        if not match:
            raise HostError(f"route segment '{part}': {REFUSED}")
        return None, match.group(1)

    @property
    def precedence(self) -> tuple:
        """Sort key: a literal segment before a parameter before a catch-all, as the host's router tries them."""
        ranks = tuple(0 if literal is not None else 1 for literal, _ in self._segments)
        return ranks + ((2,) if self.catch_all else (0,))

    def match(self, segments: list[str]) -> dict[str, str] | None:
        """Route parameters when these (already percent-decoded) path segments fit the template."""
        fixed = len(self._segments)
        if len(segments) < fixed or (len(segments) > fixed and not self.catch_all):
            return None
        values: dict[str, str] = {}
        for value, (literal, parameter) in zip(segments, self._segments):
            if parameter is not None:
                values[parameter] = value
            elif value.lower() != literal:
                return None
        if self.catch_all and len(segments) > fixed:
            values[self.catch_all] = "/".join(segments[fixed:])
        return values
