"""The OpenAPI document is true to the code: the same routes and methods as the indexed app."""

from __future__ import annotations

import json

import function_app
from remediation import openapi


def registered_operations() -> set[tuple[str, str]]:
    operations = set()
    for function in function_app.create_app().get_functions():
        trigger = function.get_trigger()
        if trigger.get_binding_name() == "httpTrigger" and trigger.route.startswith("api/"):
            operations |= {(f"/{trigger.route}", str(method).lower()) for method in trigger.methods}
    return operations


def documented_operations() -> set[tuple[str, str]]:
    return {(path, method) for path, item in openapi.document()["paths"].items() for method in item}


def test_every_route_is_documented_and_every_documented_route_exists():
    assert registered_operations() == documented_operations()


def test_every_reference_resolves():
    document = openapi.document()
    text = json.dumps(document)
    for reference in {part.split('"')[0] for part in text.split('"$ref": "#/')[1:]}:
        node = document
        for key in reference.split("/"):
            node = node[key]
        assert node


def test_every_operation_declares_its_security_and_success():
    for path, item in openapi.document()["paths"].items():
        for method, operation in item.items():
            assert "security" in operation, (method, path)
            assert any(code.startswith("2") for code in operation["responses"]), (method, path)
