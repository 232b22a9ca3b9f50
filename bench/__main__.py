"""`python -m bench`: run every benchmark script of this folder, one after another."""

from __future__ import annotations

import importlib
import pkgutil

import bench


def run_all() -> None:
    for module in sorted(pkgutil.iter_modules(bench.__path__), key=lambda found: found.name):
        if not module.name.startswith("_"):
            print(f"== bench.{module.name}", flush=True)
            importlib.import_module(f"bench.{module.name}").main([])


if __name__ == "__main__":
    run_all()
