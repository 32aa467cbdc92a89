"""`make bench`: issue 14's goal benchmarks, one after the other, as bench/README.md's quiet reruns run them.

Each benchmark runs in its own process with this interpreter, prints its own table, and must pass for the next to
start (a failing one stops the run with its exit code). The whole run takes about 30 minutes; run it on a
machine with nothing else running, as the README's figures were. `--list` prints the commands; `--only NAME`
runs some of them (NAME as `--list` shows it).

Usage::

    .venv/bin/python bench/run_all.py [--list] [--only NAME ...] [--json-dir DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Benchmark:
    name: str
    script: str
    options: tuple[str, ...]
    json: bool = True  # the script takes --json FILE (realtime.py and hostile.py print only)

    def command(self, json_dir: Path | None) -> list[str]:
        command = [sys.executable, str(BENCH / self.script), *self.options]
        if json_dir is not None and self.json:
            command += ["--json", str(json_dir / f"{self.name}.json")]
        return command


NOCACHE = ("--runtime-server", "bench/serve_runtime_nocache.py")
BENCHMARKS = (
    Benchmark("listtodos-cache", "listtodos.py", ("--rounds", "3", "--duration", "10", "--warmup", "3")),
    Benchmark("listtodos-nocache", "listtodos.py", ("--rounds", "3", "--duration", "10", "--warmup", "3", *NOCACHE)),
    Benchmark("startup", "startup.py", ("--rounds", "3")),
    Benchmark("realtime", "realtime.py", ("--subscribers", "1000", "--idle", "10000", "--max", "0"), json=False),
    Benchmark("hostile", "hostile.py", ("--rounds", "3", "--duration", "10"), json=False),
    Benchmark("listposts-cache", "listposts.py", ("--rounds", "3", "--duration", "8", "--warmup", "2", "--connections", "4")),
    Benchmark("listposts-nocache", "listposts.py", ("--rounds", "3", "--duration", "8", "--warmup", "2", "--connections", "4", *NOCACHE)),
)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--list", action="store_true", help="print the commands and stop")
    parser.add_argument("--only", nargs="+", choices=[b.name for b in BENCHMARKS], metavar="NAME")
    parser.add_argument("--json-dir", type=Path, help="each benchmark's results as NAME.json in this folder")
    args = parser.parse_args(argv)
    chosen = [b for b in BENCHMARKS if args.only is None or b.name in args.only]
    if args.json_dir is not None:
        args.json_dir.mkdir(parents=True, exist_ok=True)
    if args.list:
        for benchmark in chosen:
            print(f"{benchmark.name:<18} {' '.join(benchmark.command(args.json_dir)[1:])}")
        return 0
    for benchmark in chosen:
        print(f"\n=== {benchmark.name}: {' '.join(benchmark.command(args.json_dir)[1:])}", flush=True)
        started = time.monotonic()
        code = subprocess.call(benchmark.command(args.json_dir), cwd=BENCH.parent)
        print(f"=== {benchmark.name}: exit code {code} after {time.monotonic() - started:.0f} s", flush=True)
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
