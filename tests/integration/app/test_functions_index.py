"""The app as the Functions host sees it: `app.get_functions()`, the bindings each function
sends to the host, and the files the host reads beside it (host.json, local settings)."""

from __future__ import annotations

import inspect
import json
import re
from datetime import datetime
from pathlib import Path

import azure.functions as func
from croniter import croniter

import function_app
from remediation.settings import SETTING_DEFAULTS, SETTING_NAMES, Settings, is_loopback

ROOT = Path(function_app.__file__).parent
HTTP = {  # name: (methods, route, authLevel)
    "alerts_o365": (["POST"], "api/alerts/o365", "ANONYMOUS"),
    "alerts_azure_monitor": (["POST"], "api/alerts/azure-monitor", "FUNCTION"),
    "alerts_sentinel": (["POST"], "api/alerts/sentinel", "ANONYMOUS"),
    "remediations_create": (["POST"], "api/remediations", "ANONYMOUS"),
    "remediations_list": (["GET"], "api/remediations", "ANONYMOUS"),
    "remediations_get": (["GET"], "api/remediations/{id}", "ANONYMOUS"),
    "remediations_approve": (["POST"], "api/remediations/{id}/approve", "ANONYMOUS"),
    "remediations_cancel": (["POST"], "api/remediations/{id}/cancel", "ANONYMOUS"),
    "remediations_rollback": (["POST"], "api/remediations/{id}/rollback", "ANONYMOUS"),
    "restricted_senders": (["GET"], "api/restricted-senders", "ANONYMOUS"),
    "health": (["GET"], "api/health", "ANONYMOUS"),
    "openapi_document": (["GET"], "api/openapi.json", "ANONYMOUS"),
    "status": (["GET"], "api/status", "ANONYMOUS"),
    "console": (["GET"], "{*path}", "ANONYMOUS"),
}
TIMERS = {"sweep_blocked_senders": "%SWEEP_SCHEDULE%", "poll_security_alerts": "%ALERTS_POLL_SCHEDULE%",
          "report_poison_messages": "%POISON_SCHEDULE%"}


def indexed() -> dict[str, dict]:
    """name -> the function JSON the worker sends to the host, with the user function."""
    functions = function_app.create_app().get_functions()
    return {function.get_function_name(): {**json.loads(function.get_function_json()),
                                           "function": function.get_user_function()} for function in functions}


def trigger_of(entry: dict) -> dict:
    [trigger] = [binding for binding in entry["bindings"] if binding["direction"] == "IN"]
    return trigger


def test_the_module_exposes_one_function_app_like_the_worker_expects():
    apps = [value for value in vars(function_app).values() if isinstance(value, func.FunctionApp)]
    assert apps == [function_app.app]


def test_every_function_is_there_and_nothing_else():
    assert set(indexed()) == set(HTTP) | set(TIMERS) | {"remediation_worker"}


def test_http_routes_methods_and_auth_levels():
    functions = indexed()
    for name, (methods, route, auth_level) in HTTP.items():
        trigger = trigger_of(functions[name])
        assert (trigger["type"], trigger["name"]) == ("httpTrigger", "req"), name
        assert (trigger["methods"], trigger["route"], trigger["authLevel"]) == (methods, route, auth_level), name
        assert {"direction": "OUT", "type": "http", "name": "$return"} in functions[name]["bindings"]


def test_no_two_functions_answer_the_same_route_and_method():
    routes = [(trigger_of(entry)["route"], method) for entry in indexed().values()
              if trigger_of(entry)["type"] == "httpTrigger" for method in trigger_of(entry)["methods"]]
    assert len(routes) == len(set(routes))


def test_every_route_but_the_consoles_is_under_api():
    # host.json's routePrefix is empty so the console can answer `/`: each API route names api/ itself.
    routes = {name: trigger_of(entry)["route"] for name, entry in indexed().items()
              if trigger_of(entry)["type"] == "httpTrigger"}
    assert {name for name, route in routes.items() if not route.startswith("api/")} == {"console"}


def test_one_queue_trigger_reads_the_remediation_queue_by_setting():
    entry = indexed()["remediation_worker"]
    assert entry["bindings"] == [{"direction": "IN", "type": "queueTrigger", "name": "msg",
                                  "queueName": "%REMEDIATION_QUEUE%", "connection": "AzureWebJobsStorage"}]


def test_timers_take_their_schedules_from_settings_and_the_defaults_are_ncrontab():
    functions = indexed()
    for name, schedule in TIMERS.items():
        trigger = trigger_of(functions[name])
        assert (trigger["type"], trigger["schedule"]) == ("timerTrigger", schedule)
        default = SETTING_DEFAULTS[schedule.strip("%")]
        assert len(default.split()) == 6  # NCRONTAB has seconds first
        start = datetime(2025, 1, 1)
        assert croniter(default, start, second_at_beginning=True).get_next(datetime) > start


def test_every_referenced_setting_exists_with_a_local_value():
    local_values = json.loads((ROOT / "local.settings.sample.json").read_text())["Values"]
    text = json.dumps([entry["bindings"] for entry in indexed().values()])
    names = set(re.findall(r"%([^%]+)%", text)) | {"AzureWebJobsStorage"}
    assert names <= set(SETTING_NAMES) and names <= set(local_values)


def test_every_function_is_async_so_the_worker_runs_it_on_its_loop():
    assert all(inspect.iscoroutinefunction(entry["function"]) for entry in indexed().values())


def test_host_json_configures_the_queue_and_http_as_the_code_expects():
    host = json.loads((ROOT / "host.json").read_text())
    assert host["version"] == "2.0" and host["functionTimeout"] == "00:10:00"
    assert host["extensionBundle"] == {"id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)"}
    assert host["extensions"]["http"]["routePrefix"] == ""
    # An idle instance polls the queue at most every 2 s (docs/ARCHITECTURE.md counts what that costs).
    assert host["extensions"]["queues"] == {"maxDequeueCount": 5, "visibilityTimeout": "00:00:30", "batchSize": 8,
                                            "maxPollingInterval": "00:00:02", "messageEncoding": "base64"}


def test_the_local_settings_sample_lists_every_setting_with_a_valid_safe_value():
    sample = json.loads((ROOT / "local.settings.sample.json").read_text())
    values = sample["Values"]
    assert sample["IsEncrypted"] is False and values["FUNCTIONS_WORKER_RUNTIME"] == "python"
    assert set(SETTING_NAMES) <= set(values)
    settings = Settings.from_env(values)
    assert settings.mode == "dry-run" and settings.storage_connection == "UseDevelopmentStorage=true"
    assert settings.problems() == []
    # A local run never reaches a real tenant: every Microsoft root points at the sandbox.
    assert all(is_loopback(url) for url in (settings.graph_base_url, settings.exchange_base_url,
                                            settings.management_api_base_url, settings.login_base_url))
