"""A module-level app for the command-line tests: it reports the settings it sees."""

from __future__ import annotations

import os

import azure.functions as func

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.route(route="settings/{name}")
async def setting(req: func.HttpRequest) -> func.HttpResponse:
    name = req.route_params["name"]
    return func.HttpResponse(os.environ.get(name, "<unset>"))


@app.timer_trigger(schedule="%CLI_SCHEDULE%", arg_name="timer")
async def scheduled(timer: func.TimerRequest) -> None:
    pass
