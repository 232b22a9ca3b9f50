"""The app's long-lived objects, built once per worker process and reached only through
these accessors: the domain's services, the settings and the bearer-token validator.

`use(...)` is the one seam: tests install a runtime holding fake services.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from remediation.auth import TokenValidator
from remediation.settings import Settings

if TYPE_CHECKING:
    from remediation.services import Admin, Health, Intake, Schedules, Services, Worker


@dataclass
class Runtime:
    settings: Settings
    services: "Services"
    tokens: TokenValidator


_current: Runtime | None = None


def current() -> Runtime:
    global _current
    if _current is None:
        settings = Settings.from_env()
        # Imported here: the SDKs behind bootstrap are not needed to index the app.
        from remediation import bootstrap

        _current = Runtime(settings, bootstrap.build(settings), TokenValidator(settings))
    return _current


def use(runtime: Runtime | None) -> None:
    """Install `runtime` (None: build the real one again on next use)."""
    global _current
    _current = runtime


def intake() -> "Intake":
    return current().services.intake


def admin() -> "Admin":
    return current().services.admin


def worker() -> "Worker":
    return current().services.worker


def schedules() -> "Schedules":
    return current().services.schedules


def health() -> "Health":
    return current().services.health


def settings() -> Settings:
    return current().settings


def tokens() -> TokenValidator:
    return current().tokens
