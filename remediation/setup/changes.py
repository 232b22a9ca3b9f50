"""What setup found and did, one line each, so that a second run can say "nothing to change"."""

from __future__ import annotations

from dataclasses import dataclass

UNCHANGED, CREATE, UPDATE, MANUAL = "unchanged", "create", "update", "manual"


@dataclass(frozen=True)
class Change:
    action: str     # UNCHANGED, CREATE, UPDATE or MANUAL (a person must do it; the text says how)
    what: str

    def line(self, dry_run: bool) -> str:
        verb = {CREATE: "would create", UPDATE: "would update"}.get(self.action, self.action) if dry_run else \
            {CREATE: "created", UPDATE: "updated"}.get(self.action, self.action)
        return f"{verb:>13}  {self.what}"


def summary(changes: list[Change], dry_run: bool) -> str:
    lines = [change.line(dry_run) for change in changes]
    made = [change for change in changes if change.action in (CREATE, UPDATE)]
    if not made:
        lines.append("Nothing to change: the tenant already matches the settings.")
    elif dry_run:
        lines.append(f"Dry run: {len(made)} change(s) planned, none made.")
    return "\n".join(lines) + "\n"
