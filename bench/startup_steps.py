"""Benchmark: where a start of `python -m appsync_local serve` waits, step by step (what `startup.py` times whole).

Each run starts the server as `startup.py` does (a fresh data folder, then a warm restart on it), in a child
process that wraps its steps and prints what it saw: the wait for DynamoDB Local's JVM
(`DynamoDBLocal._wait_until_ready`), the calls the runtime made to local AWS before its banner (botocore's
`_make_api_call`), the event engine's start (`EventEngine.start`), the APPSYNC_JS check of every resolver file
(`JsResolverRunner.check`) and its compilations (`JsEngine.load`), start-up's one garbage collection
(`_collect_once_started`: its time, the objects it scanned and found unreachable) and the first request, from its
arrival to its answer. At the first answer it also reads, from `/proc`, the CPU time each process of the server
(the runtime, DynamoDB Local's JVM, kinesalite's Node) has used so far.

Usage::

    .venv/bin/python bench/startup_steps.py [--rounds 1] [--cpus 0,1]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from _common import ROOT
from startup import BANNER_API_KEY, BANNER_URL, START_TIMEOUT_SECONDS, child, first_answer, runtime_env

REPORT = re.compile(r"^STEP (\{.*\})$")


def _report(**fields: Any) -> None:
    print("STEP " + json.dumps(fields), flush=True)


def serve_with_steps(data_dir: str) -> None:
    """In the child: `python -m appsync_local --data-dir DATA serve --port 0`, its steps wrapped."""
    import gc
    import runpy

    import botocore.client

    from appsync_local import banner, http_app, server
    from appsync_local.events import EventEngine
    from appsync_local.js import JsResolverRunner
    from appsync_local.js.engine import JsEngine
    from appsync_local.local_aws import dynamodb_local

    calls: collections.Counter[str] = collections.Counter()
    lock = threading.Lock()
    api_call = botocore.client.BaseClient._make_api_call

    def counted(self: Any, operation: str, params: Any) -> Any:
        with lock:
            calls[f"{self.meta.service_model.service_name}.{operation}"] += 1
        return api_call(self, operation, params)

    botocore.client.BaseClient._make_api_call = counted

    def timed(owner: Any, name: str, step: str) -> None:
        """Report the wall time of each call of `owner.name` as `step` (the last call's, with their count)."""
        method = getattr(owner, name)
        totals = {"calls": 0, "ms": 0.0}

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                totals["calls"] += 1
                totals["ms"] += 1000 * (time.perf_counter() - started)
                _report(step=step, **totals)

        setattr(owner, name, wrapper)

    timed(EventEngine, "start", "events_start")
    timed(JsResolverRunner, "check", "js_check")
    timed(JsEngine, "load", "js_loads")

    wait_until_ready = dynamodb_local.DynamoDBLocal._wait_until_ready

    def timed_wait(self: Any, port: int, deadline: float) -> None:
        started = time.perf_counter()
        wait_until_ready(self, port, deadline)
        _report(step="dynamodb_wait", ms=1000 * (time.perf_counter() - started), cpu_s=time.process_time())

    dynamodb_local.DynamoDBLocal._wait_until_ready = timed_wait  # type: ignore[method-assign]

    made_banner = banner.banner

    def counted_banner(*args: Any, **kwargs: Any) -> str:
        with lock:
            _report(step="banner", calls=sum(calls.values()), top=calls.most_common(8))
        return made_banner(*args, **kwargs)

    banner.banner = counted_banner

    def collect_once() -> None:
        tracked = len(gc.get_objects())
        started = time.perf_counter()
        unreachable = gc.collect()
        elapsed = 1000 * (time.perf_counter() - started)
        gc.freeze()
        gc.enable()
        _report(step="collection", ms=elapsed, tracked=tracked, unreachable=unreachable)

    server._collect_once_started = collect_once

    create_app = http_app.create_app

    def timed_app(*args: Any, **kwargs: Any) -> Any:
        app = create_app(*args, **kwargs)
        first = [True]

        async def wrapped(scope: Any, receive: Any, send: Any) -> None:
            timing = scope["type"] == "http" and first[0]
            first[0] = first[0] and not timing
            started = time.perf_counter()
            await app(scope, receive, send)
            if timing:
                _report(step="first_request", ms=1000 * (time.perf_counter() - started))

        return wrapped

    http_app.create_app = timed_app
    sys.argv = ["appsync_local", "--data-dir", data_dir, "serve", "--port", "0"]
    runpy.run_module("appsync_local", run_name="__main__")


def one_start(name: str, data_dir: Path, cpus: str) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(data_dir)]
    started = time.monotonic()
    deadline = started + START_TIMEOUT_SECONDS
    with child(name, command, runtime_env(), ROOT, cpus) as server:
        url = server.wait_for_line(BANNER_URL, deadline).group(1) + "/graphql"
        api_key = server.wait_for_line(BANNER_API_KEY, deadline).group(1)
        first_answer(name, url, api_key, deadline)
        answered = time.monotonic() - started
        cpu = session_cpu(server.process.pid)
        server.wait_for_line(re.compile(r'^STEP \{"step": "first_request"'), deadline)
        steps = {}
        for line in server.lines:
            if match := REPORT.match(line):
                fields = json.loads(match.group(1))
                steps[fields.pop("step")] = fields
    return {"answered_s": answered, "cpu": cpu, **steps}


def session_cpu(session: int) -> dict[str, float]:
    """CPU seconds (user + system) each process of `session` (the server, started in a session of its own, and
    every process it started) has used so far, by command name; several of one name are added up."""
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = collections.defaultdict(float)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # ended meanwhile
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()  # fields from the 3rd (state) on
        if int(fields[3]) == session:  # field 6: the session id
            used[name] += (int(fields[11]) + int(fields[12])) / ticks  # fields 14 and 15: utime, stime
    return dict(used)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--cpus", default="0,1")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        serve_with_steps(args.child)
        return 0
    for round_ in range(1, args.rounds + 1):
        with tempfile.TemporaryDirectory(prefix="startup-steps-") as folder:
            for name in ("first start", "warm restart"):
                steps = one_start(name, Path(folder) / "data", args.cpus)
                wait, banner, collection = steps["dynamodb_wait"], steps["banner"], steps["collection"]
                print(
                    f"round {round_} {name}: first answer at {steps['answered_s']:.2f} s; "
                    f"waited {wait['ms']:.1f} ms for DynamoDB Local (after {wait['cpu_s']:.2f} s of CPU); "
                    f"{banner['calls']} calls to local AWS before the banner; "
                    f"collection {collection['ms']:.0f} ms ({collection['tracked']:,} objects, "
                    f"{collection['unreachable']:,} unreachable); "
                    f"first request {steps['first_request']['ms']:.0f} ms",
                    flush=True,
                )
                print("  most made calls: " + ", ".join(f"{n} {c}" for c, n in banner["top"]), flush=True)
                events, check, loads = steps["events_start"], steps["js_check"], steps["js_loads"]
                print(
                    f"  event engine start {events['ms']:.0f} ms; APPSYNC_JS check {check['ms']:.0f} ms, of which "
                    f"{loads['calls']} loads {loads['ms']:.0f} ms (by the first answer)",
                    flush=True,
                )
                print(
                    "  CPU by the first answer: "
                    + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in sorted(steps["cpu"].items())),
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
