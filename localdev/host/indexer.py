"""Reads an app's functions the way the Python worker indexes them: `app.get_functions()`,
each function's raw bindings (the JSON the worker sends to the host), with `%NAME%`
references resolved from the settings.

Only what the app uses is hosted: `async def` functions with one HTTP, queue or timer
trigger, an HTTP function's `$return`, a queue function taking a `func.QueueMessage`. Any
other function is refused with the reason, never run differently from Azure.
"""

from __future__ import annotations

import importlib
import inspect
import json
import sys
import typing
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import azure.functions as func

from localdev.host.errors import HostError
from localdev.host.settings import resolve

TRIGGERS = ("httpTrigger", "queueTrigger", "timerTrigger")
_NOT_RESOLVED = ("type", "name", "direction")


@dataclass(frozen=True)
class Binding:
    type: str
    name: str
    fields: Mapping[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        return self.fields.get(key, default)


@dataclass(frozen=True)
class IndexedFunction:
    name: str
    trigger: Binding
    user_function: Callable[..., Any]


def load_app(spec: str) -> func.FunctionRegister:
    """Import `module` or `module:attribute` afresh and return its FunctionApp.

    Without an attribute, the module's one FunctionApp is found the way the worker finds it.
    A fresh import lets one process host an app more than once (get_functions() can be
    called only once per app object).
    """
    module_name, _, attribute = spec.partition(":")
    sys.modules.pop(module_name, None)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise HostError(f"cannot import the app module '{module_name}' (is the working directory the app's folder?)")
    if attribute:
        app = getattr(module, attribute, None)
    else:
        apps = [value for value in vars(module).values() if isinstance(value, func.FunctionRegister)]
        app = apps[0] if len(apps) == 1 else None
    if not isinstance(app, func.FunctionRegister):
        raise HostError(f"'{spec}' does not name one azure.functions.FunctionApp")
    return app


def index(app: func.FunctionRegister, settings: Mapping[str, str]) -> list[IndexedFunction]:
    return [_index_one(function, settings) for function in app.get_functions()]


def _index_one(function: func.Function, settings: Mapping[str, str]) -> IndexedFunction:
    name = function.get_function_name()
    bindings = [_binding(json.loads(raw), name, settings) for raw in function.get_raw_bindings()]
    triggers = [binding for binding in bindings if binding.type in TRIGGERS]
    others = [binding for binding in bindings if binding not in triggers]
    expected_outputs = ["http"] if triggers and triggers[0].type == "httpTrigger" else []
    if len(triggers) != 1 or [binding.type for binding in others] != expected_outputs:
        found = ", ".join(binding.type for binding in bindings)
        raise HostError(f"function '{name}': the local host runs one trigger of {', '.join(TRIGGERS)} and no "
                        f"other binding than an HTTP function's response; found {found}")
    user_function = function.get_user_function()
    _check_function(name, user_function, triggers[0], bindings)
    return IndexedFunction(name=name, trigger=triggers[0], user_function=user_function)


def _binding(raw: dict[str, Any], function_name: str, settings: Mapping[str, str]) -> Binding:
    fields = {key: resolve(value, settings, where=f"function '{function_name}', binding '{raw['name']}', {key}")
              if isinstance(value, str) and key not in _NOT_RESOLVED else value
              for key, value in raw.items()}
    return Binding(type=raw["type"], name=raw["name"], fields=fields)


def _check_function(name: str, user_function: Callable[..., Any], trigger: Binding, bindings: list[Binding]) -> None:
    """The worker refuses a function whose parameters and bindings differ; the local host also
    refuses the features the app does not use, rather than run them unlike Azure."""
    parameters = set(inspect.signature(user_function).parameters)
    bound = {binding.name for binding in bindings} - {"$return"}
    if parameters != bound:
        raise HostError(f"function '{name}': parameters {sorted(parameters)} do not match bindings {sorted(bound)}")
    if not inspect.iscoroutinefunction(user_function):
        raise HostError(f"function '{name}': the local host runs `async def` functions only")
    hint = typing.get_type_hints(user_function).get(trigger.name)
    if trigger.type == "queueTrigger" and hint is not func.QueueMessage:
        raise HostError(f"function '{name}': a queue trigger's parameter must be a func.QueueMessage locally")
    if trigger.get("runOnStartup"):
        raise HostError(f"function '{name}': runOnStartup is not supported by the local host")
    if str(trigger.get("authLevel", "")).lower() == "admin":
        raise HostError(f"function '{name}': the admin auth level (master key) is not supported by the local host")
