"""Benchmark: the cold import time of each Lambda handler in appsync.toml, next to `import boto3` alone.

Each sample is a fresh interpreter (`python -c`) that times one import statement with `time.perf_counter`,
so interpreter start-up is not counted, just as a Lambda's init phase starts after the runtime is up. The
targets are sampled in turn (round-robin), so a busy moment on the machine touches all of them alike, and
the median of the samples is reported. Byte code caches (`__pycache__`) are used as they are on Lambda.

Usage::

    .venv/bin/python bench/cold_import.py [--runs 11] [--detail]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from appdef import load_config

TIMER = (
    "import time, sys\n"
    "started = time.perf_counter()\n"
    "import {module}\n"
    "sys.stdout.write(repr(time.perf_counter() - started))\n"
)
BASELINES = ("boto3", "aws_lambda_powertools.event_handler")
GOAL_RATIO = 1.2


@dataclass
class Target:
    label: str
    module: str
    samples: list[float]

    @property
    def median_ms(self) -> float:
        return 1000 * statistics.median(self.samples)


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "AWS_"))}
    env["PYTHONPATH"] = str(ROOT)
    return env


def time_import(module: str, env: dict[str, str]) -> float:
    """Seconds one fresh interpreter takes to import `module`."""
    completed = subprocess.run(
        [sys.executable, "-c", TIMER.format(module=module)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"error: importing {module} failed:\n{completed.stderr.strip()}")
    return float(completed.stdout)


def slowest_imports(module: str, env: dict[str, str], top: int) -> list[tuple[float, str]]:
    """The modules that `module` imports directly, by cumulative import time (`-X importtime`)."""
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    entries: list[tuple[int, float, str]] = []
    for line in completed.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|")
        depth = (len(name) - len(name.lstrip(" ")) - 1) // 2
        entries.append((depth, int(cumulative) / 1000, name.strip()))
    # -X importtime lists a module after everything it imported: the subtree of `module` is the run of
    # deeper entries just before its own top-level entry.
    end = next(i for i, (depth, _, name) in enumerate(entries) if depth == 0 and name == module)
    start = end
    while start > 0 and entries[start - 1][0] > 0:
        start -= 1
    rows = [(ms, name) for depth, ms, name in entries[start:end] if depth == 1]
    return sorted(rows, reverse=True)[:top]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=11, help="fresh interpreters per target (default 11, min 7)"
    )
    parser.add_argument(
        "--detail", action="store_true", help="also list what each handler's import spends on"
    )
    args = parser.parse_args(argv)
    if args.runs < 7:
        parser.error("--runs must be at least 7")

    config = load_config(ROOT / "appsync.toml")
    targets = [Target(f"`import {m}`", m, []) for m in BASELINES]
    for function in config.functions.values():
        module = function.handler.rpartition(".")[0]
        targets.append(Target(f"{function.name}: `{module}`", module, []))
        # A handler may defer boto3 to its first invocation; the cold start's first request still pays it.
        targets.append(
            Target(f"{function.name}: `{module}` + `boto3` (first invocation)", f"{module}, boto3", [])
        )
    env = _environment()
    for target in targets:  # one unmeasured import each: byte code compiled, files in the page cache
        time_import(target.module, env)
    for _ in range(args.runs):
        for target in targets:
            target.samples.append(time_import(target.module, env))

    boto3_ms = targets[0].median_ms
    print(f"median of {args.runs} fresh interpreters each (Python {sys.version.split()[0]}):\n")
    print("| import | median (ms) | min (ms) | max (ms) | vs `import boto3` |")
    print("|---|---:|---:|---:|---:|")
    for target in targets:
        print(
            f"| {target.label} | {target.median_ms:.1f} | {1000 * min(target.samples):.1f} | "
            f"{1000 * max(target.samples):.1f} | {target.median_ms / boto3_ms:.2f}x |"
        )
    handlers = [t for t in targets[len(BASELINES) :] if "," not in t.module]
    worst = max(handlers, key=lambda t: t.median_ms)
    ratio = worst.median_ms / boto3_ms
    verdict = "met" if ratio <= GOAL_RATIO else "NOT met"
    print(
        f"\ngoal (every handler <= {GOAL_RATIO}x `import boto3`): {verdict} (slowest: {worst.label}, {ratio:.2f}x)"
    )
    if args.detail:
        for target in handlers:
            print(f"\nwhat `import {target.module}` spends on (cumulative ms, -X importtime, one run):")
            for ms, name in slowest_imports(target.module, env, top=12):
                print(f"  {ms:7.1f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
