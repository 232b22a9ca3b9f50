"""`Health`: whether the app can work (settings, storage) and, deep, whether it holds every
Graph and Exchange permission it needs (probed with read calls)."""

from __future__ import annotations

from remediation.context import Context
from remediation.errors import PermissionError_, RemediationError
from remediation.services.schedules import SERVICE_SOURCE, WATERMARK


class Health:
    def __init__(self, context: Context) -> None:
        self.context = context

    async def check(self, deep: bool = False) -> dict:
        """{"checks": {name: {"ok": bool, ...}}}: storage and settings; `deep` probes Graph and Exchange
        with read calls and names a missing permission."""
        ports, problems = self.context.ports, self.context.settings.problems()
        checks = {"settings": {"ok": not problems, "problems": problems},
                  "storage": await _probe(ports.store.get_marker(WATERMARK))}
        if deep:
            since = self.context.clock()
            checks["graph.domains"] = await _probe(ports.directory.domains())
            checks["graph.securityAlerts"] = await _probe(ports.directory.security_alerts(since, SERVICE_SOURCE))
            checks["exchange.blockedSenders"] = await _probe(ports.exchange.blocked_senders())
        return {"checks": checks}


async def _probe(call) -> dict:
    try:
        await call
    except PermissionError_ as exc:
        return {"ok": False, "error": str(exc), "permission": exc.permission}
    except RemediationError as exc:
        return {"ok": False, "error": str(exc)}
    return {"ok": True}
