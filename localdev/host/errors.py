"""The one error the local host raises for an app or configuration it cannot host."""

from __future__ import annotations


class HostError(Exception):
    """The app, host.json or a setting is unusable; the message says which and why."""
