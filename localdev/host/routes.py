"""Route templates as the Functions host (ASP.NET Core routing) reads the ones the app uses:
literal segments (case-insensitive) and `{name}` parameters. Constraints, optional and
catch-all parameters are refused rather than matched differently.
"""

from __future__ import annotations

import re

from localdev.host.errors import HostError

_PARAMETER = re.compile(r"^\{([A-Za-z_][A-Za-z0-9_]*)\}$")


class RouteTemplate:
    def __init__(self, template: str) -> None:
        self.template = template.strip("/")
        # Each segment: (literal, parameter name), one of them None.
        self._segments = tuple(self._parse(part) for part in self.template.split("/") if part)

    @staticmethod
    def _parse(part: str) -> tuple[str | None, str | None]:
        if "{" not in part and "}" not in part:
            return part.lower(), None
        match = _PARAMETER.match(part)
        if not match:
            raise HostError(f"route segment '{part}': the local host takes literal segments and "
                            "{name} parameters only")
        return None, match.group(1)

    @property
    def precedence(self) -> tuple:
        """Sort key: a literal segment before a parameter, as the host's router tries them."""
        return tuple(0 if literal is not None else 1 for literal, _ in self._segments) + (0,)

    def match(self, segments: list[str]) -> dict[str, str] | None:
        """Route parameters when these (already percent-decoded) path segments fit the template."""
        if len(segments) != len(self._segments):
            return None
        values: dict[str, str] = {}
        for value, (literal, parameter) in zip(segments, self._segments):
            if parameter is not None:
                values[parameter] = value
            elif value.lower() != literal:
                return None
        return values
