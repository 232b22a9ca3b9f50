"""Route templates as the Functions host (ASP.NET Core routing) reads them: literal segments
(case-insensitive), `{name}`, `{name:constraint}`, optional `{name?}` and catch-all `{*name}`.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Callable

from localdev.host.errors import HostError

_PARAMETER = re.compile(r"^\{(\*)?([A-Za-z_][A-Za-z0-9_]*)(\?)?((?::[^:{}]+(?:\([^)]*\))?)*)\}$")
_CONSTRAINT = re.compile(r":([a-zA-Z]+)(?:\(([^)]*)\))?")


def _parses(kind: Callable[[str], object]) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        try:
            kind(value)
        except (ValueError, InvalidOperation):
            return False
        return True
    return check


def _bounded(low: int, high: int) -> Callable[[str], bool]:
    return lambda value: _parses(int)(value) and low <= int(value) <= high


_INT64 = (-2**63, 2**63 - 1)
_SIMPLE: dict[str, Callable[[str], bool]] = {
    "int": _bounded(-2**31, 2**31 - 1), "long": _bounded(*_INT64), "guid": _parses(uuid.UUID),
    "bool": lambda value: value.lower() in ("true", "false"),
    "alpha": lambda value: value.isascii() and value.isalpha(),
    "decimal": _parses(Decimal), "double": _parses(float), "float": _parses(float),
    "datetime": _parses(datetime.fromisoformat),
}


def _constraint(name: str, argument: str | None) -> Callable[[str], bool]:
    argument = argument or None
    if argument is None and name in _SIMPLE:
        return _SIMPLE[name]
    numbers = [int(part) for part in (argument or "").split(",") if part.strip().lstrip("-").isdigit()]
    if name == "regex" and argument:
        pattern = re.compile(argument, re.IGNORECASE)
        return lambda value: pattern.search(value) is not None
    if name in ("minlength", "maxlength", "min", "max") and len(numbers) == 1:
        limit = numbers[0]
        return {"minlength": lambda value: len(value) >= limit, "maxlength": lambda value: len(value) <= limit,
                "min": _bounded(limit, _INT64[1]), "max": _bounded(_INT64[0], limit)}[name]
    if name == "length" and numbers:
        low, high = (numbers[0], numbers[-1])
        return lambda value: low <= len(value) <= high
    if name == "range" and len(numbers) == 2:
        return _bounded(*numbers)
    raise HostError(f"route constraint ':{name}{f'({argument})' if argument else ''}' is not supported")


@dataclass(frozen=True)
class _Segment:
    literal: str | None = None
    parameter: str | None = None
    optional: bool = False
    catch_all: bool = False
    checks: tuple[Callable[[str], bool], ...] = ()

    @property
    def rank(self) -> int:
        """ASP.NET's order: literal, constrained parameter, parameter, optional, catch-all."""
        if self.literal is not None:
            return 0
        if self.catch_all:
            return 4
        return 3 if self.optional else 1 if self.checks else 2


class RouteTemplate:
    def __init__(self, template: str) -> None:
        self.template = template.strip("/")
        self._segments = tuple(self._parse(part) for part in self.template.split("/") if part)

    @staticmethod
    def _parse(part: str) -> _Segment:
        if "{" not in part:
            return _Segment(literal=part.lower())
        match = _PARAMETER.match(part)
        if not match:
            raise HostError(f"route segment '{part}' is not supported by the local host")
        star, name, optional, constraints = match.groups()
        checks = tuple(_constraint(kind.lower(), argument) for kind, argument in _CONSTRAINT.findall(constraints))
        return _Segment(parameter=name, optional=bool(optional), catch_all=bool(star), checks=checks)

    @property
    def precedence(self) -> tuple:
        """Sort key: more specific templates first, as the host's router tries them."""
        return tuple(segment.rank for segment in self._segments) + (0,)

    def match(self, segments: list[str]) -> dict[str, str] | None:
        """Route parameters when these (already percent-decoded) path segments fit the template."""
        values: dict[str, str] = {}
        for position, segment in enumerate(self._segments):
            if segment.catch_all:
                if position < len(segments):
                    values[segment.parameter] = "/".join(segments[position:])
                return values
            if position >= len(segments):
                return values if all(rest.optional or rest.catch_all for rest in self._segments[position:]) else None
            value = segments[position]
            if segment.literal is not None:
                if value.lower() != segment.literal:
                    return None
            elif all(check(value) for check in segment.checks):
                values[segment.parameter] = value
            else:
                return None
        return values if len(segments) == len(self._segments) else None
