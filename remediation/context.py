"""The run context: what every service, the playbook and each step work with, built once.

`bootstrap` builds one `Context` per worker process from Settings and the real gateways;
tests build one on fakes with `Context.build`. It replaces the (ports, settings, clock,
journal) that used to travel through every constructor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from remediation.audit import Journal
from remediation.models import utcnow
from remediation.notify import Mailer
from remediation.ports import Directory, ExchangeAdmin, JobStore, WorkQueue
from remediation.settings import Settings

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Ports:
    directory: Directory
    exchange: ExchangeAdmin
    store: JobStore
    queue: WorkQueue


@dataclass(frozen=True)
class Context:
    ports: Ports
    settings: Settings
    clock: Clock
    journal: Journal   # the one way to change a job
    mailer: Mailer     # to the security team, never to or from the compromised user

    @classmethod
    def build(cls, settings: Settings, ports: Ports, clock: Clock = utcnow) -> "Context":
        return cls(ports, settings, clock, Journal(ports.store, clock), Mailer(settings, ports.directory))
