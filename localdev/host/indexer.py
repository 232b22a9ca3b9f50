"""Reads an app's functions the way the Python worker indexes them: `app.get_functions()`,
each function's raw bindings (the JSON the worker sends to the host), with `%NAME%`
references resolved from the settings.
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
OUTPUTS = ("http", "queue")
# The worker passes an invocation context to a parameter of this name.
CONTEXT_PARAMETER = "context"
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
    outputs: tuple[Binding, ...]
    user_function: Callable[..., Any]
    wants_context: bool
    trigger_hint: Any

    @property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.user_function)


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
    others = [binding for binding in bindings if binding.type not in TRIGGERS]
    unsupported = sorted({binding.type for binding in others if binding.type not in OUTPUTS})
    if unsupported or len(triggers) != 1:
        raise HostError(f"function '{name}': the local host supports one of the triggers {', '.join(TRIGGERS)} "
                        f"and the outputs {', '.join(OUTPUTS)}; found {', '.join(unsupported) or 'no trigger'}")
    user_function = function.get_user_function()
    trigger = triggers[0]
    _check_parameters(name, user_function, bindings)
    return IndexedFunction(name=name, trigger=trigger, outputs=tuple(others), user_function=user_function,
                           wants_context=CONTEXT_PARAMETER in inspect.signature(user_function).parameters,
                           trigger_hint=_type_hints(user_function).get(trigger.name))


def _binding(raw: dict[str, Any], function_name: str, settings: Mapping[str, str]) -> Binding:
    fields = {key: resolve(value, settings, where=f"function '{function_name}', binding '{raw['name']}', {key}")
              if isinstance(value, str) and key not in _NOT_RESOLVED else value
              for key, value in raw.items()}
    return Binding(type=raw["type"], name=raw["name"], fields=fields)


def _check_parameters(name: str, user_function: Callable[..., Any], bindings: list[Binding]) -> None:
    """The worker refuses a function whose parameters and bindings differ; so does the local host."""
    parameters = set(inspect.signature(user_function).parameters) - {CONTEXT_PARAMETER}
    bound = {binding.name for binding in bindings} - {"$return"}
    if parameters != bound:
        raise HostError(f"function '{name}': parameters {sorted(parameters)} do not match bindings {sorted(bound)}")


def _type_hints(user_function: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(user_function)
    except Exception:  # an annotation that cannot be evaluated only loses the str/bytes conversion
        return {}
