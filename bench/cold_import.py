"""Cold import of function_app.py and the peak memory it leaves, beside `import azure.functions`
alone (the floor every Python Functions app pays): what an instance spends before it can answer.

Each figure is the median of `--runs` fresh interpreters (`python -c "import ..."`, bytecode
already compiled, as on a warm disk after deployment); peak RSS is the process's maximum
resident set (ru_maxrss) after the import. The development venv also holds schemathesis's click,
rich and pygments, which httpx imports for its command line when they are installed: the last
row hides them, as a deployment (requirements.txt only) has them not.
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = ("import json, resource, sys, time\n"
         "class Hide:\n"
         "    def find_spec(self, name, path, target=None):\n"
         "        if name.partition('.')[0] in {hidden!r}: raise ImportError(name)\n"
         "sys.meta_path.insert(0, Hide())\n"
         "started = time.perf_counter()\n"
         "import {module}\n"
         "print(json.dumps([time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss]))")
DEV_ONLY = ("click", "rich", "pygments")


def _probe(module: str, hidden: tuple[str, ...]) -> list[float]:
    # Through sh, which forks the interpreter: a process exec'd straight from this one would inherit this
    # process's peak RSS as its own (Linux keeps ru_maxrss across fork and exec).
    command = f"{shlex.quote(sys.executable)} -c {shlex.quote(PROBE.format(module=module, hidden=hidden))}; true"
    return json.loads(subprocess.run(["sh", "-c", command], cwd=ROOT, check=True, capture_output=True,
                                     text=True).stdout)


def measure(module: str, runs: int, hidden: tuple[str, ...] = ()) -> tuple[float, float]:
    samples = [_probe(module, hidden) for _ in range(runs)]
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples) / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    floor_time, floor_rss = measure("azure.functions", args.runs)
    print(f"{'import':34} {'time':>8} {'peak RSS':>10}")
    print(f"{'azure.functions (the floor)':34} {floor_time:6.3f} s {floor_rss:6.0f} MiB")
    for label, hidden in (("function_app (development venv)", ()), ("function_app (as deployed)", DEV_ONLY)):
        app_time, app_rss = measure("function_app", args.runs, hidden)
        print(f"{label:34} {app_time:6.3f} s {app_rss:6.0f} MiB   "
              f"({app_time / floor_time:.2f} x the time, {app_rss / floor_rss:.2f} x the memory)")


if __name__ == "__main__":
    main()
