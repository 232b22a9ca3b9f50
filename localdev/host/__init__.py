"""The local Azure Functions host: runs `function_app.py` unchanged where Core Tools are absent.

`python -m localdev.host --port 7071` (see __main__.py); in-process, `async with Host(...)`.
It reads the app only as Azure's host does, through what the Python worker sends it
(`app.get_functions()` and each function's binding JSON), plus host.json and the settings
(local.settings.json under the environment). Modules, in the order a request meets them:
settings, config (host.json), indexer, connections and storage, http_server (routes),
queues (messages, backoff), timers (singleton), invoker, runtime (the Host), logs.

Where it matters it behaves as Azure's host does: HTTP routing, methods and the function
key; the queue trigger's batches, 10-minute lease renewed at half, redelivery after
`visibilityTimeout`, `<queue>-poison` after `maxDequeueCount`, and polling back-off from
100 ms to `maxPollingInterval`; one run of a timer across hosts of the app (a blob lease in
AzureWebJobsStorage); connection strings and identity-based storage connections.

Every remaining difference from Azure's host:
- Functions: only `async def` functions with one HTTP, queue or timer trigger; an HTTP
  function's only output is its return value, a queue function takes a `func.QueueMessage`.
  Anything else (other triggers, output bindings, sync functions, a `context` parameter,
  `runOnStartup`, the admin auth level) is refused at start with the reason. Function-level
  retry policies are not read.
- Process: functions run on the host's own event loop in its process, not in a separate
  Python worker; an import error of the app stops the host; a blocking call blocks the host.
- HTTP: routes of literal segments, `{name}` parameters and a last `{*name}` catch-all only
  (no constraints or optional parameters), a literal ranked before a parameter before a catch-all; one key, the
  FUNCTIONS_KEY setting, for `function` routes (no host, master or per-function keys in
  storage, no key APIs); no built-in endpoints (`/admin/...`, `/runtime/webhooks/...`, the
  landing page), no platform CORS, authentication (Easy Auth) or proxies.
- Queues: base64 messages only; no dynamic concurrency and one processor (the default
  `newBatchThreshold` is batchSize/2); no scale controller; at shutdown a running function
  gets the grace period (10 s), then is cancelled and its message made visible at once
  (Azure lets the lease run out).
- Timers: six-field NCRONTAB in UTC only (no TimeSpan schedules, no WEBSITE_TIME_ZONE); no
  schedule monitor (the status blob), so an occurrence missed while no host ran is not run
  late at start. The lock's host ID is the setting AzureFunctionsWebHost__hostid, else
  WEBSITE_SITE_NAME, else `<machine>-<hash of the app folder>` (Azure derives it from the
  site); two hosts share the lock only with the same host ID and storage account.
- Storage identities: without `credential`, the developer's login is tried in the shared
  token cache, Visual Studio Code and the Azure CLI (Visual Studio has no Python
  counterpart); the AZURE_* variables of EnvironmentCredential are not applied as defaults;
  `managedidentityasfederatedidentity` and certificates are refused.
- host.json: only extensions.http.routePrefix, extensions.queues, singleton (the listener
  lock's period and recovery interval), functionTimeout (default 30 minutes) and
  logging.logLevel are read; the rest is ignored.
- Settings: `Values` of local.settings.json (not ConnectionStrings), no Key Vault references.
- Logs: the host's line format on stderr only (no Application Insights, no log stream).
"""

from localdev.host.config import HostConfig, QueueOptions, SingletonOptions
from localdev.host.errors import HostError
from localdev.host.runtime import Host
from localdev.host.settings import LocalSettings

__all__ = ["Host", "HostConfig", "HostError", "LocalSettings", "QueueOptions", "SingletonOptions"]
