"""Every setting of the app, read once into a frozen object.

The names in the first block are the public contract of DESIGN.md section 3; the rest are
ours. Each one is listed with its default in `local.settings.sample.json` and the README.
Build it with `Settings.from_env()` (the process environment) or `Settings.from_env(env)`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from ipaddress import ip_address
from typing import Mapping
from urllib.parse import urlsplit

from remediation.clouds import DEFAULT as DEFAULT_CLOUD, with_cloud_hosts
from remediation.errors import ConfigurationError
from remediation.models import DRY_RUN, ENFORCE, MODES

_KEY_VAULT_REFERENCE = "@Microsoft.KeyVault("


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.replace(";", ",").split(",") if part.strip())


def _bool(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def is_loopback(url: str) -> bool:
    """True for the sandbox tenant on this machine: such a root gets no token."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    storage_connection: str = ""
    tenant_id: str = ""
    graph_base_url: str = "https://graph.microsoft.com"
    exchange_base_url: str = "https://outlook.office365.com"
    management_api_base_url: str = "https://manage.office.com"
    login_base_url: str = "https://login.microsoftonline.com"
    azure_cloud: str = DEFAULT_CLOUD
    api_audience: str = ""
    mode: str = DRY_RUN
    follow_up_delay_seconds: int = 3600
    protected_accounts: tuple[str, ...] = ()
    o365_webhook_auth_id: str = field(default="", repr=False)
    notify_sender: str = ""
    notify_recipients: tuple[str, ...] = ()
    storage_queue_uri: str = ""
    storage_table_uri: str = ""
    storage_client_id: str = ""
    queue_name: str = "remediation-jobs"
    jobs_table: str = "remediationjobs"
    public_base_url: str = "http://localhost:7071"
    unblock_budget_count: int = 1
    unblock_budget_window_days: int = 7
    auth_methods_recent_days: int = 7
    app_consents_action: str = "remove"   # or "report"
    disable_account_when_manual_reset: bool = False
    disable_account_on_recurrence: bool = False
    follow_up_max_hours: int = 24
    breaker_max_jobs_per_hour: int = 20
    evidence_subjects: bool = True
    watch_days: int = 7
    watch_interval_seconds: int = 86400
    approval_timeout_hours: float = 24.0
    max_request_bytes: int = 65536
    max_users_per_alert: int = 50
    retry_max_wait_seconds: float = 30.0
    alert_name: str = "User restricted from sending email"
    azure_monitor_user_field: str = "UserPrincipalName"
    stale_job_minutes: int = 15
    console_client_id: str = ""
    console_login_base_url: str = ""
    unresolved_references: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = with_cloud_hosts(os.environ if env is None else env)   # AZURE_CLOUD's hosts, unless set
        values: dict[str, object] = {}
        unresolved = []
        for name, (attribute, parse) in _SPEC.items():
            default = SETTING_DEFAULTS[name]
            raw = env.get(name, default)
            if raw.startswith(_KEY_VAULT_REFERENCE):
                # App Service leaves the reference text in place when it cannot resolve it: never use it as a value.
                unresolved.append(name)
                raw = default
            try:
                values[attribute] = parse(raw)  # type: ignore[operator]
            except ValueError as exc:
                raise ConfigurationError(f"setting {name}={raw!r} is not valid: {exc}") from exc
        settings = cls(**values, unresolved_references=tuple(unresolved))
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.mode not in MODES:
            raise ConfigurationError(f"REMEDIATION_MODE must be one of {', '.join(MODES)}, not {self.mode!r}")
        if self.follow_up_delay_seconds < 0 or self.follow_up_delay_seconds > 7 * 24 * 3600:
            # A queue message can be hidden for at most 7 days.
            raise ConfigurationError("FOLLOW_UP_DELAY_SECONDS must be between 0 and 604800")
        if self.watch_days < 0 or not 1 <= self.watch_interval_seconds <= 7 * 24 * 3600:
            raise ConfigurationError("WATCH_DAYS must be 0 or more and WATCH_INTERVAL_SECONDS between 1 and 604800")
        if not 0 < self.approval_timeout_hours <= 7 * 24:
            # The expiry is a queue message hidden until the deadline: at most 7 days.
            raise ConfigurationError("APPROVAL_TIMEOUT_HOURS must be more than 0 and at most 168")
        if self.unblock_budget_count < 0 or self.unblock_budget_window_days < 1:
            raise ConfigurationError("UNBLOCK_BUDGET_COUNT must be >= 0 and UNBLOCK_BUDGET_WINDOW_DAYS >= 1")
        if self.max_users_per_alert < 1:
            raise ConfigurationError("MAX_USERS_PER_ALERT must be >= 1")
        if self.app_consents_action not in ("remove", "report"):
            raise ConfigurationError(f"APP_CONSENTS_ACTION must be remove or report, not {self.app_consents_action!r}")

    def problems(self) -> list[str]:
        """What keeps the app from acting on a tenant (reported by /api/health)."""
        missing = [name for name, (attribute, _) in _SPEC.items()
                   if name in ("TENANT_ID", "API_AUDIENCE", "NOTIFY_SENDER") and not getattr(self, attribute)]
        if not self.storage_connection and not (self.storage_queue_uri and self.storage_table_uri):
            missing.append("AzureWebJobsStorage")
        if not self.notify_recipients:
            missing.append("NOTIFY_RECIPIENTS")
        return ([f"{name} is not set" for name in missing]
                + [f"{name} is a Key Vault reference that did not resolve" for name in self.unresolved_references])

    @property
    def enforce(self) -> bool:
        return self.mode == ENFORCE


# env name -> (attribute, parser). Parsers turn the raw string into the typed value; the
# defaults are the dataclass's own, so they are written once.
_SPEC: dict[str, tuple[str, object]] = {
    # contract names (DESIGN.md section 3)
    "AzureWebJobsStorage": ("storage_connection", str),
    "TENANT_ID": ("tenant_id", str),
    "GRAPH_BASE_URL": ("graph_base_url", str),
    "EXCHANGE_BASE_URL": ("exchange_base_url", str),
    "MANAGEMENT_API_BASE_URL": ("management_api_base_url", str),
    "LOGIN_BASE_URL": ("login_base_url", str),
    "AZURE_CLOUD": ("azure_cloud", str),
    "API_AUDIENCE": ("api_audience", str),
    "REMEDIATION_MODE": ("mode", str),
    "FOLLOW_UP_DELAY_SECONDS": ("follow_up_delay_seconds", int),
    "PROTECTED_ACCOUNTS": ("protected_accounts", _split),
    "O365_WEBHOOK_AUTH_ID": ("o365_webhook_auth_id", str),
    "NOTIFY_SENDER": ("notify_sender", str),
    "NOTIFY_RECIPIENTS": ("notify_recipients", _split),
    # ours
    "AzureWebJobsStorage__queueServiceUri": ("storage_queue_uri", str),
    "AzureWebJobsStorage__tableServiceUri": ("storage_table_uri", str),
    "AzureWebJobsStorage__clientId": ("storage_client_id", str),
    "REMEDIATION_QUEUE": ("queue_name", str),
    "JOBS_TABLE": ("jobs_table", str),
    "PUBLIC_BASE_URL": ("public_base_url", str),
    "UNBLOCK_BUDGET_COUNT": ("unblock_budget_count", int),
    "UNBLOCK_BUDGET_WINDOW_DAYS": ("unblock_budget_window_days", int),
    "AUTH_METHODS_RECENT_DAYS": ("auth_methods_recent_days", int),
    "APP_CONSENTS_ACTION": ("app_consents_action", str),
    "DISABLE_ACCOUNT_WHEN_MANUAL_RESET": ("disable_account_when_manual_reset", _bool),
    "DISABLE_ACCOUNT_ON_RECURRENCE": ("disable_account_on_recurrence", _bool),
    "FOLLOW_UP_MAX_HOURS": ("follow_up_max_hours", int),
    "BREAKER_MAX_JOBS_PER_HOUR": ("breaker_max_jobs_per_hour", int),
    "EVIDENCE_SUBJECTS": ("evidence_subjects", _bool),
    "WATCH_DAYS": ("watch_days", int),
    "WATCH_INTERVAL_SECONDS": ("watch_interval_seconds", int),
    "APPROVAL_TIMEOUT_HOURS": ("approval_timeout_hours", float),
    "MAX_REQUEST_BYTES": ("max_request_bytes", int),
    "MAX_USERS_PER_ALERT": ("max_users_per_alert", int),
    "RETRY_MAX_WAIT_SECONDS": ("retry_max_wait_seconds", float),
    "ALERT_NAME": ("alert_name", str),
    "AZURE_MONITOR_USER_FIELD": ("azure_monitor_user_field", str),
    "STALE_JOB_MINUTES": ("stale_job_minutes", int),
    "CONSOLE_CLIENT_ID": ("console_client_id", str),
    "CONSOLE_LOGIN_BASE_URL": ("console_login_base_url", str),
}


def _raw_default(attribute: str) -> str:
    """A field's default as it would be written in an app setting."""
    value = next(f.default for f in fields(Settings) if f.name == attribute)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return ",".join(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


# The timers' schedules: read by the Functions host from the binding expressions of
# handlers/sweep.py, never by the app, so no Settings field holds them. Listed here with their
# defaults for the README, the sample settings and infra (SWEEP_SCHEDULE is a contract name).
HOST_SCHEDULES = {"SWEEP_SCHEDULE": "0 */1 * * * *", "ALERTS_POLL_SCHEDULE": "0 */5 * * * *",
                  "POISON_SCHEDULE": "0 */5 * * * *"}
SETTING_NAMES = tuple(_SPEC) + tuple(HOST_SCHEDULES)
SETTING_DEFAULTS = {**{name: _raw_default(attribute) for name, (attribute, _) in _SPEC.items()}, **HOST_SCHEDULES}
