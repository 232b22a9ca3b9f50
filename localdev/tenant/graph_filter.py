"""`$filter` on GET /users, for the clauses that find a user by an address:

    mail eq 'x'   userPrincipalName eq 'x'   proxyAddresses/any(p:p eq 'smtp:x')

joined by `or`. Values compare case-insensitively, as the directory's do. The lambda on
proxyAddresses is an advanced query: Graph answers it only with the header
`ConsistencyLevel: eventual` and `$count=true`, and otherwise 400 "Unsupported Query.".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from localdev.tenant import odata

_STRING = r"'((?:[^']|'')*)'"
_COMPARISON = re.compile(rf"\s*([A-Za-z]\w*)\s+eq\s+{_STRING}\s*", re.IGNORECASE)
_LAMBDA = re.compile(rf"\s*([A-Za-z]\w*)/any\(\s*(\w+)\s*:\s*(\w+)\s+eq\s+{_STRING}\s*\)\s*", re.IGNORECASE)
_OR = re.compile(r"or\s+", re.IGNORECASE)
SCALARS = ("mail", "userPrincipalName")
COLLECTIONS = ("proxyAddresses",)


@dataclass(frozen=True)
class Clause:
    name: str       # the property, as the user resource spells it
    value: str      # lower case: comparisons ignore case

    def matches(self, user: Mapping) -> bool:
        stored = user.get(self.name)
        values = stored if isinstance(stored, list) else [stored]
        return any(isinstance(item, str) and item.lower() == self.value for item in values)


def advanced(query: Mapping[str, str], headers: Mapping[str, str]) -> bool:
    """Whether the request carries Graph's advanced query parameters."""
    level = next((value for key, value in headers.items() if key.lower() == "consistencylevel"), "")
    return level.strip().lower() == "eventual" and query.get("$count", "").strip().lower() == "true"


def _property(name: str, supported: tuple[str, ...], known: Iterable[str]) -> str:
    spelled = {item.lower(): item for item in known}
    if name.lower() not in spelled:
        raise odata.bad_request(f"Could not find a property named '{name}' on type 'microsoft.graph.user'.")
    if name.lower() not in {item.lower() for item in supported}:
        raise odata.bad_request(f"Unsupported or invalid query filter clause specified for property "
                                f"'{spelled[name.lower()]}' of resource 'User'.", "Request_UnsupportedQuery")
    return spelled[name.lower()]


def _clause(text: str, position: int, known: Iterable[str]) -> tuple[Clause, int, bool]:
    """The clause at `position`, where it ends, and whether it is a lambda."""
    lam = _LAMBDA.match(text, position)
    if lam:
        name, variable, used, literal = lam.groups()
        if variable != used:
            raise odata.bad_request(f"Could not find a property named '{used}' on type 'microsoft.graph.user'.")
        return Clause(_property(name, COLLECTIONS, known), literal.replace("''", "'").lower()), lam.end(), True
    comparison = _COMPARISON.match(text, position)
    if comparison:
        name, literal = comparison.groups()
        return Clause(_property(name, SCALARS, known), literal.replace("''", "'").lower()), comparison.end(), False
    raise odata.bad_request(f"Invalid filter clause: syntax error at position {position} in '{text}'.")


def parse(text: str, known: Iterable[str], *, advanced_query: bool) -> list[Clause]:
    """The clauses of `text`, any of which selects a user."""
    clauses: list[Clause] = []
    position = 0
    while True:
        clause, position, is_lambda = _clause(text, position, known)
        if is_lambda and not advanced_query:
            raise odata.bad_request("Unsupported Query.", "Request_UnsupportedQuery")
        clauses.append(clause)
        if position == len(text):
            return clauses
        joined = _OR.match(text, position)
        if not joined:
            raise odata.bad_request(f"Invalid filter clause: syntax error at position {position} in '{text}'.")
        position = joined.end()
