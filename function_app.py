"""The Azure Functions app: one blueprint per module of handlers/.

HTTP routes are anonymous at the host unless a route says otherwise: the app validates
Entra bearer tokens (and the O365 webhook's AuthID) itself.
"""

from __future__ import annotations

import azure.functions as func

from handlers import admin_api, alerts_azure_monitor, alerts_o365, alerts_sentinel, console, health, sweep, worker

HANDLER_MODULES = (alerts_o365, alerts_azure_monitor, alerts_sentinel, admin_api, health, worker, sweep, console)


def create_app() -> func.FunctionApp:
    """A fresh app: `get_functions()` may run only once per app, and tests index their own."""
    function_app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
    for module in HANDLER_MODULES:
        function_app.register_functions(module.bp)
    return function_app


app = create_app()
