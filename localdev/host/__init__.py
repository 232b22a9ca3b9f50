"""The local Azure Functions host: runs `function_app.py` unchanged where Core Tools are absent.

`python -m localdev.host --port 7071` (see __main__.py); in-process, `async with Host(...)`.
It follows the app's function metadata (`app.get_functions()`), host.json and the settings
(local.settings.json under the environment). Modules, in the order a request meets them:
settings, config (host.json), indexer, http_server (routes, keys), queues (storage, outputs),
timers, invoker, runtime (the Host), logs.
"""

from localdev.host.config import HostConfig, QueueOptions
from localdev.host.errors import HostError
from localdev.host.runtime import Host
from localdev.host.settings import LocalSettings

__all__ = ["Host", "HostConfig", "HostError", "LocalSettings", "QueueOptions"]
