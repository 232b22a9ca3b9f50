"""The sandbox tenant plays Microsoft, not our client: it imports nothing from the app, so it can
never agree with the app by construction."""

from __future__ import annotations

import ast
from pathlib import Path

import localdev.tenant

SANDBOX = Path(localdev.tenant.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return names | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}


def test_no_sandbox_module_imports_the_app():
    app = {"remediation", "handlers", "function_app"}
    offenders = {path.name: sorted(name for name in imported_modules(path) if name.split(".")[0] in app)
                 for path in SANDBOX.glob("*.py")}
    assert {name: found for name, found in offenders.items() if found} == {}
    assert len(offenders) > 10   # the glob found the sandbox's modules
