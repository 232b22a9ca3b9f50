"""Indexing: the host reads `app.get_functions()` as the Python worker does."""

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
    functions = by_name(http_app.build(Calls()), {"OUTPUT_QUEUE": "outbox"})
    assert {"item", "special", "named_item", "page", "keyed", "admin_only", "boom", "nothing", "sync_hello",
            "whoami", "enqueue"} == set(functions)
    item = functions["item"].trigger
    assert (item.type, item.get("route"), item.get("methods"), item.get("authLevel")) == (
        "httpTrigger", "items/{id:guid}", ["GET", "POST"], "ANONYMOUS")
    # No auth level on the route: the app's default, as get_functions() applies it.
    assert functions["keyed"].trigger.get("authLevel") == "FUNCTION"
    assert [(b.type, b.name) for b in functions["item"].outputs] == [("http", "$return")]
    enqueue = {binding.name: binding for binding in functions["enqueue"].outputs}
    assert enqueue["msg"].type == "queue" and enqueue["msg"].get("queueName") == "outbox"
    assert functions["item"].is_async and not functions["sync_hello"].is_async
    assert functions["whoami"].wants_context and not functions["item"].wants_context


def test_queue_and_timer_bindings_are_resolved_from_settings():
    worker = by_name(queue_app.build(Calls()), {"WORK_QUEUE": "work", "DONE_QUEUE": "done"})["worker"]
    assert (worker.trigger.type, worker.trigger.get("queueName"), worker.trigger.get("connection")) == (
        "queueTrigger", "work", "AzureWebJobsStorage")
    assert worker.trigger_hint is func.QueueMessage
    timers = by_name(timer_app.build(Calls()), {"TICK_SCHEDULE": "*/1 * * * * *"})
    assert timers["tick"].trigger.get("schedule") == "*/1 * * * * *"
    assert timers["on_startup"].trigger.get("runOnStartup") is True


def test_an_unset_setting_is_named_in_the_error():
    with pytest.raises(HostError, match=r"function 'worker', binding 'msg', queueName .*'%WORK_QUEUE%'"):
        index(queue_app.build(Calls()), {"DONE_QUEUE": "done"})


def test_a_binding_the_local_host_does_not_run_is_refused():
    app = func.FunctionApp()

    @app.blob_trigger(arg_name="blob", path="in/{name}", connection="AzureWebJobsStorage")
    def on_blob(blob: func.InputStream) -> None:
        pass

    with pytest.raises(HostError, match="function 'on_blob'.*blobTrigger"):
        index(app, {})


def test_parameters_that_do_not_match_the_bindings_are_refused():
    app = func.FunctionApp()

    @app.route(route="odd", auth_level="anonymous")
    def odd(request: func.HttpRequest) -> str:
        return "never"

    with pytest.raises(HostError, match=r"function 'odd': parameters \['request'\] do not match bindings \['req'\]"):
        index(app, {})


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
