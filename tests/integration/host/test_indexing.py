"""Indexing: the host reads `app.get_functions()` as the Python worker does, and refuses what
the app does not use rather than run it unlike Azure."""

from __future__ import annotations

import azure.functions as func
import pytest

from localdev.host import HostError
from localdev.host.indexer import index, load_app
from tests.integration.host.apps import http_app, queue_app, timer_app
from tests.integration.host.support import Calls


def by_name(app: func.FunctionApp, settings: dict[str, str]) -> dict:
    return {function.name: function for function in index(app, settings)}


def test_http_functions_are_indexed_with_routes_methods_and_auth_levels():
    functions = by_name(http_app.build(), {})
    assert {"item", "special", "delete_item", "keyed", "boom", "nothing"} == set(functions)
    item = functions["item"].trigger
    assert (item.type, item.get("route"), item.get("methods"), item.get("authLevel")) == (
        "httpTrigger", "items/{id}", ["GET", "POST"], "ANONYMOUS")
    # No auth level on the route: the app's default, as get_functions() applies it.
    assert functions["keyed"].trigger.get("authLevel") == "FUNCTION"


def test_queue_and_timer_bindings_are_resolved_from_settings():
    worker = by_name(queue_app.build(Calls()), {"WORK_QUEUE": "work"})["worker"]
    assert (worker.trigger.type, worker.trigger.get("queueName"), worker.trigger.get("connection")) == (
        "queueTrigger", "work", "AzureWebJobsStorage")
    timers = by_name(timer_app.build(Calls()), {"TICK_SCHEDULE": "*/1 * * * * *"})
    assert timers["tick"].trigger.get("schedule") == "*/1 * * * * *"


def test_an_unset_setting_is_named_in_the_error():
    with pytest.raises(HostError, match=r"function 'worker', binding 'msg', queueName .*'%WORK_QUEUE%'"):
        index(queue_app.build(Calls()), {})


def one_function_app(register) -> func.FunctionApp:
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
    register(app)
    return app


def blob_trigger(app):
    @app.blob_trigger(arg_name="blob", path="in/{name}", connection="AzureWebJobsStorage")
    async def on_blob(blob: func.InputStream) -> None:
        pass


def queue_output(app):
    @app.route(route="enqueue")
    @app.queue_output(arg_name="msg", queue_name="out", connection="AzureWebJobsStorage")
    async def enqueue(req: func.HttpRequest, msg: func.Out[str]) -> str:
        return "never"


def sync_function(app):
    @app.route(route="sync")
    def sync(req: func.HttpRequest) -> str:
        return "never"


def queue_text(app):
    @app.queue_trigger(arg_name="text", queue_name="work", connection="AzureWebJobsStorage")
    async def text_worker(text: str) -> None:
        pass


def run_on_startup(app):
    @app.timer_trigger(schedule="0 0 0 1 1 *", arg_name="timer", run_on_startup=True)
    async def on_startup(timer: func.TimerRequest) -> None:
        pass


def admin_level(app):
    @app.route(route="admin", auth_level=func.AuthLevel.ADMIN)
    async def admin(req: func.HttpRequest) -> str:
        return "never"


def context_parameter(app):
    @app.route(route="whoami")
    async def whoami(req: func.HttpRequest, context: func.Context) -> str:
        return "never"


@pytest.mark.parametrize(("register", "message"), [
    (blob_trigger, r"function 'on_blob': the local host runs one trigger .* found blobTrigger"),
    (queue_output, r"function 'enqueue': .* found queue, httpTrigger, http"),
    (sync_function, r"function 'sync': the local host runs `async def` functions only"),
    (queue_text, r"function 'text_worker': a queue trigger's parameter must be a func.QueueMessage"),
    (run_on_startup, r"function 'on_startup': runOnStartup is not supported"),
    (admin_level, r"function 'admin': the admin auth level \(master key\) is not supported"),
    (context_parameter, r"function 'whoami': parameters \['context', 'req'\] do not match bindings \['req'\]"),
])
def test_what_the_app_does_not_use_is_refused_with_the_reason(register, message):
    with pytest.raises(HostError, match=message):
        index(one_function_app(register), {})


def test_load_app_finds_the_one_function_app_of_a_module_or_a_named_one():
    assert isinstance(load_app("tests.integration.host.apps.cli_app"), func.FunctionApp)
    assert isinstance(load_app("tests.integration.host.apps.cli_app:app"), func.FunctionApp)
    with pytest.raises(HostError, match="does not name one azure.functions.FunctionApp"):
        load_app("tests.integration.host.apps.cli_app:setting")
    with pytest.raises(HostError, match="cannot import the app module 'no_such_app'"):
        load_app("no_such_app")


def test_load_app_imports_afresh_so_an_app_can_be_indexed_again():
    first, second = load_app("tests.integration.host.apps.cli_app"), load_app("tests.integration.host.apps.cli_app")
    settings = {"CLI_SCHEDULE": "0 */1 * * * *"}
    assert [f.name for f in index(first, settings)] == [f.name for f in index(second, settings)]
