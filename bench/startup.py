"""Benchmark: start-up to the first answered request, `make run` vs amplify-appsync-simulator.

Each round measures, one after the other, on the same cores (`--cpus`, every process and its children pinned
with taskset):

* **runtime, first start** — exactly what `make run` runs (`python -m appsync_local serve`), on a fresh data
  folder and port 0: from spawning it to the first answer of `listPosts(limit: 1)` with the API key its banner
  prints (DynamoDB Local, moto, kinesalite, provisioning, seeding, the runtime and the local services all
  start before that);
* **runtime, warm restart** — the same command again on the data folder the first start left;
* **DynamoDB Local alone** — its JVM with the runtime's own command line and flags (`DynamoDBLocal`), from
  launch to answering ListTables, on an empty folder and on the warm folder's tables;
* **amplify-appsync-simulator** — `simulator/serve.js` as the other benchmarks start it, from spawning Node to
  the first answer of the same `listPosts(limit: 1)` with its API key (its data source points at a DynamoDB
  Local started beforehand, not timed, that holds the app's Posts table).

The goal (issue 14) is start-up to first answer ≤ the simulator's start-up plus DynamoDB Local's own start.
Every wait is bounded; a request is retried every `POLL_SECONDS` until it is answered.

Usage::

    .venv/bin/python bench/startup.py [--rounds 3] [--cpus 0,1] [--json FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from _common import (
    ROOT,
    SIMULATOR_DIR,
    SIMULATOR_VERSION,
    BenchError,
    die_with_parent,
    load_average,
    require_tools,
    run_script,
)

from appdef import AppConfig, load_config
from appsync_local.local_aws import LocalAws
from appsync_local.local_aws.dynamodb_local import JAR_NAME, DynamoDBLocal, free_port
from appsync_local.local_aws.endpoints import local_session
from appsync_local.local_aws.provision import create_table_request
from appsync_local.local_aws.stack import JAR_DIR

QUERY = "query FirstAnswer { listPosts(limit: 1) { items { id title } } }"
SIMULATOR_APP = SIMULATOR_DIR / "listPosts.json"
SIMULATOR_API_KEY = "da2-bench"  # serve.js's
BANNER_URL = re.compile(r"AppSync API\s+(http://\S+)/graphql")
BANNER_API_KEY = re.compile(r"API key\s+(da2-\S+)")
POLL_SECONDS = 0.01
START_TIMEOUT_SECONDS = 120
STOP_TIMEOUT_SECONDS = 30
# Settings of the caller's shell that would change what `serve` does.
AMBIENT = ("PORT", "TLS_PORT", "HOST", "APPSYNC_LOCAL_DYNAMODB", "PYTHONPATH")


@dataclass
class Sample:
    peer: str
    round: int
    seconds: float  # spawn to the first answer (DynamoDB Local: launch to answering ListTables)
    serving_seconds: float | None = None  # the runtime: spawn to its banner (it serves from then on)


# -- processes --------------------------------------------------------------------------------------


class Child:
    """A child process (and whatever it starts) pinned to `cpus`, its output kept, stopped on exit."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], cwd: Path, cpus: str) -> None:
        self.name = name
        self._log: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - open for the child's lifetime
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self.process = subprocess.Popen(
            ["taskset", "-c", cpus, *command],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._log,
            preexec_fn=die_with_parent,  # only a prctl call between fork and exec
            start_new_session=True,
        )
        # stdout is read on a thread, so a chatty child never blocks on a full pipe.
        self._reader = threading.Thread(target=self._read, name=f"{name}-stdout", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            with self._changed:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for_line(self, pattern: re.Pattern[str], deadline: float) -> re.Match[str]:
        """The first line of stdout matching `pattern` (waited for until `deadline`, on `time.monotonic()`)."""
        seen = 0
        with self._changed:
            while True:
                for line in self.lines[seen:]:
                    if match := pattern.search(line):
                        return match
                seen = len(self.lines)
                if self.process.poll() is not None and not self._reader.is_alive():
                    raise BenchError(f"{self.name} ended before printing {pattern.pattern!r}.\n{self.tail()}")
                if time.monotonic() > deadline:
                    raise BenchError(f"{self.name} printed no {pattern.pattern!r} in time.\n{self.tail()}")
                self._changed.wait(timeout=0.2)

    def tail(self, lines: int = 30) -> str:
        self._log.flush()
        self._log.seek(0)
        text = self._log.read().decode("utf-8", "replace").splitlines()
        self._log.seek(0, os.SEEK_END)
        output = (self.lines + text)[-lines:]
        return "Its output ended with:\n" + "\n".join(output) if output else "It printed nothing."

    def stop(self) -> None:
        """SIGTERM (it stops what it started), then SIGKILL to its whole session if it lingers."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, 9)
                self.process.wait()
        self._reader.join(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._log.close()


@contextlib.contextmanager
def child(name: str, command: list[str], env: dict[str, str], cwd: Path, cpus: str) -> Iterator[Child]:
    process = Child(name, command, env, cwd, cpus)
    try:
        yield process
    finally:
        process.stop()


def first_answer(name: str, url: str, api_key: str, deadline: float) -> dict[str, Any]:
    """POST the query until it is answered with `listPosts` and no errors; connection refusals are retried."""
    body = json.dumps({"query": QUERY}).encode()
    headers = {"Content-Type": "application/json", "x-api-key": api_key}
    while True:
        request = urllib.request.Request(url, data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=max(1.0, deadline - time.monotonic())) as response:
                result = dict(json.loads(response.read()))
        except (urllib.error.URLError, ConnectionError) as exc:
            if isinstance(exc, urllib.error.HTTPError) or time.monotonic() > deadline:
                raise BenchError(f"{name}: POST {url} failed: {exc}") from exc
            time.sleep(POLL_SECONDS)
            continue
        items = ((result.get("data") or {}).get("listPosts") or {}).get("items")
        if result.get("errors") or not isinstance(items, list):
            raise BenchError(f"{name} answered with errors: {json.dumps(result)[:2000]}")
        return result


# -- the peers --------------------------------------------------------------------------------------


def runtime_env() -> dict[str, str]:
    """This environment without AWS or server settings: `make run` from a clean shell."""
    return {k: v for k, v in os.environ.items() if k not in AMBIENT and not k.startswith("AWS_")}


def time_runtime(peer: str, round_: int, data_dir: Path, cpus: str) -> Sample:
    """Spawn `python -m appsync_local serve` on `data_dir` and port 0; time it to its first answer."""
    command = [sys.executable, "-m", "appsync_local", "--data-dir", str(data_dir), "serve", "--port", "0"]
    started = time.monotonic()
    deadline = started + START_TIMEOUT_SECONDS
    with child(peer, command, runtime_env(), ROOT, cpus) as server:
        url = server.wait_for_line(BANNER_URL, deadline).group(1) + "/graphql"
        api_key = server.wait_for_line(BANNER_API_KEY, deadline).group(1)
        serving = time.monotonic() - started
        first_answer(peer, url, api_key, deadline)
        return Sample(peer, round_, time.monotonic() - started, serving)


def time_dynamodb_local(peer: str, round_: int, config: AppConfig, db_path: Path, cpus: str) -> Sample:
    """DynamoDB Local's JVM with the command line `make run` gives it, launch to answering ListTables."""
    # The runtime's own choice of flags: `serve` keeps its tables on disk, so LocalAws picks full JIT.
    quick_start = LocalAws(config).quick_start
    dynamodb = DynamoDBLocal(config.root / JAR_DIR, db_path, quick_start=quick_start)
    java, jar = dynamodb.check()  # compiles the loopback launcher once, as the runtime does, before timing
    db_path.mkdir(parents=True, exist_ok=True)
    port = free_port("127.0.0.1")
    client = local_session(config.api.region).client(
        "dynamodb", endpoint_url=f"http://127.0.0.1:{port}", config=PROBE_CONFIG
    )
    command = dynamodb._command(java, jar, port)  # exactly the runtime's command line
    started = time.monotonic()
    deadline = started + START_TIMEOUT_SECONDS
    with child(peer, command, dict(os.environ), db_path, cpus) as jvm:
        while True:
            try:
                client.list_tables(Limit=1)
                return Sample(peer, round_, time.monotonic() - started)
            except PROBE_RETRY:
                if jvm.process.poll() is not None or time.monotonic() > deadline:
                    raise BenchError(f"DynamoDB Local did not answer.\n{jvm.tail()}") from None
                time.sleep(POLL_SECONDS)


def time_simulator(round_: int, dynamodb_endpoint: str, cpus: str) -> Sample:
    env = {
        **os.environ,
        "SCHEMA_PATH": str(ROOT / "schema.graphql"),
        "SIMULATOR_APP": str(SIMULATOR_APP),
        "DYNAMODB_ENDPOINT": dynamodb_endpoint,
    }
    started = time.monotonic()
    deadline = started + START_TIMEOUT_SECONDS
    with child("simulator", ["node", str(SIMULATOR_DIR / "serve.js")], env, SIMULATOR_DIR, cpus) as node:
        port = int(node.wait_for_line(re.compile(r'^\{"port": ?(\d+)\}'), deadline).group(1))
        first_answer("simulator", f"http://127.0.0.1:{port}/graphql", SIMULATOR_API_KEY, deadline)
        return Sample("simulator", round_, time.monotonic() - started)


@contextlib.contextmanager
def simulator_dynamodb(config: AppConfig) -> Iterator[str]:
    """A DynamoDB Local (in memory) with the app's Posts and Users tables, for the simulator's data sources."""
    dynamodb = DynamoDBLocal(config.root / JAR_DIR, None, quick_start=True)
    endpoint = dynamodb.start()
    try:
        client = local_session(config.api.region).client("dynamodb", endpoint_url=endpoint)
        for name in ("Posts", "Users"):
            client.create_table(**create_table_request(config.table(name)))
        yield endpoint
    finally:
        dynamodb.stop()


def _probe() -> tuple[Any, tuple[type[Exception], ...]]:
    import botocore.exceptions
    from botocore.config import Config

    retry = (
        botocore.exceptions.EndpointConnectionError,
        botocore.exceptions.ConnectionClosedError,
        botocore.exceptions.ReadTimeoutError,
        botocore.exceptions.ConnectTimeoutError,
    )
    return Config(connect_timeout=0.5, read_timeout=2, retries={"max_attempts": 1}), retry


PROBE_CONFIG, PROBE_RETRY = _probe()


# -- the run ----------------------------------------------------------------------------------------

PEERS = (
    ("runtime-first", "local runtime, first start (fresh data folder)"),
    ("runtime-warm", "local runtime, warm restart (same data folder)"),
    ("dynamodb-first", "DynamoDB Local alone, empty folder"),
    ("dynamodb-warm", "DynamoDB Local alone, the warm folder's tables"),
    ("simulator", f"amplify-appsync-simulator {SIMULATOR_VERSION}"),
)


def median(samples: list[Sample], peer: str, attribute: str = "seconds") -> float:
    return statistics.median(getattr(s, attribute) for s in samples if s.peer == peer)


def report(samples: list[Sample], args: argparse.Namespace) -> str:
    lines = ["", "per round (seconds; the runtime's time to its banner in brackets):"]
    for round_ in range(1, args.rounds + 1):
        cells = []
        for s in samples:
            if s.round == round_:
                serving = f" ({s.serving_seconds:.2f})" if s.serving_seconds is not None else ""
                cells.append(f"{s.peer} {s.seconds:.2f}{serving}")
        lines.append(f"  round {round_}: " + ", ".join(cells))
    lines += [
        "",
        f"median of {args.rounds} rounds, every process pinned to cores {args.cpus}:",
        "",
        "| peer | start-up to first answer (s) | to the banner (s) |",
        "|---|---:|---:|",
    ]
    for peer, label in PEERS:
        serving = "" if not peer.startswith("runtime") else f"{median(samples, peer, 'serving_seconds'):.2f}"
        lines.append(f"| {label} | {median(samples, peer):.2f} | {serving} |")
    simulator = median(samples, "simulator")
    lines.append("")
    for start in ("first", "warm"):
        goal = simulator + median(samples, f"dynamodb-{start}")
        runtime = median(samples, f"runtime-{start}")
        verdict = "met" if runtime <= goal else "not met"
        lines.append(
            f"{start} start: runtime {runtime:.2f} s, goal <= simulator {simulator:.2f} + DynamoDB Local "
            f"{median(samples, f'dynamodb-{start}'):.2f} = {goal:.2f} s: {verdict} ({runtime / goal:.2f}x the goal)"
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    require_tools("taskset", "node")
    if not (ROOT / JAR_DIR / JAR_NAME).is_file():
        raise BenchError("DynamoDB Local is not installed: run `make setup`")
    config = load_config(ROOT / "appsync.toml")
    samples: list[Sample] = []

    def record(sample: Sample) -> None:
        samples.append(sample)
        serving = f" (banner at {sample.serving_seconds:.2f} s)" if sample.serving_seconds is not None else ""
        print(f"  round {sample.round} {sample.peer:<15} {sample.seconds:6.2f} s{serving}", flush=True)

    print(f"load average before: {load_average()}", flush=True)
    with simulator_dynamodb(config) as simulator_endpoint:
        for round_ in range(1, args.rounds + 1):
            with tempfile.TemporaryDirectory(prefix="appsync-startup-") as folder:
                data_dir = Path(folder) / "data"
                record(time_runtime("runtime-first", round_, data_dir, args.cpus))
                record(time_runtime("runtime-warm", round_, data_dir, args.cpus))
                record(time_dynamodb_local("dynamodb-warm", round_, config, data_dir / "dynamodb", args.cpus))
                empty = Path(folder) / "empty"
                record(time_dynamodb_local("dynamodb-first", round_, config, empty, args.cpus))
            record(time_simulator(round_, simulator_endpoint, args.cpus))
    print(f"load average after: {load_average()}", flush=True)
    print(report(samples, args), flush=True)
    if args.json:
        args.json.write_text(json.dumps([asdict(s) for s in samples], indent=1) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each timing every peer (default 3)")
    parser.add_argument(
        "--cpus",
        default="0,1",
        help="the cores every measured process runs on (taskset -c; default 0,1, as `make run` has them)",
    )
    parser.add_argument("--json", type=Path, help="also write every sample to this JSON file")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be >= 1")
    return run_script(run, args)


if __name__ == "__main__":
    sys.exit(main())
