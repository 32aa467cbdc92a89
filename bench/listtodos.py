"""Benchmark: `listTodos(limit: 20)` with a user JWT, the local runtime vs amplify-appsync-simulator.

One run starts one DynamoDB Local (in memory) and moto, seeds one user's todos, then serves the same query
from the same data with three servers, each in its own process pinned to core 0:

* the local runtime (`bench/serve_runtime.py`): Cognito JWT verification, the Powertools Lambda resolver
  invoked in-process, boto3 to DynamoDB Local;
* amplify-appsync-simulator (`bench/simulator/serve.js`): a VTL unit resolver on a DynamoDB data source;
* the floor (`bench/serve_floor.py`): the least work that answers the same request, a bare ASGI handler
  that verifies the same JWT and runs the same boto3 Query, with no GraphQL. It bounds what any runtime
  can reach here; the report gives the runtime's share of it.

DynamoDB Local, moto, this script and the load generator (wrk) share core 1. All three are checked to return
the same items, then measured alternately for several rounds (warm-up, then a fixed duration with fixed
connections); the medians are reported. `--profile DIR` then samples the runtime's server under the same
load with py-spy and summarises where its time goes.

Usage::

    .venv/bin/python bench/listtodos.py [--rounds 3] [--duration 10] [--connections 16] [--profile DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from _common import (
    SERVER_CORE,
    SHARED_CORE,
    SIMULATOR_DIR,
    SIMULATOR_VERSION,
    BenchError,
    Measurement,
    Server,
    add_common_options,
    frame_name,
    load_average,
    measure_rounds,
    median_of,
    per_round_table,
    post,
    record_profile,
    run_script,
    set_stage,
    start_floor,
    start_peers,
)

from appsync_local.local_aws import LocalAws, resource

BENCH_USER = "bench-user"
TODOS_TABLE = "Todos"
QUERY = (
    "query ListTodos { listTodos(limit: 20) { items { id title done dueDate version createdAt } nextToken } }"
)
SIMULATOR_APP = SIMULATOR_DIR / "listTodos.json"
FLOOR_SERVER = Path(__file__).resolve().parent / "serve_floor.py"
# Issue 14's goals for the runtime's req/s: over the simulator's with the app's API cache (serve_runtime.py) and
# without it (serve_runtime_nocache.py), and over the floor's without it.
GOAL_RATIO_CACHED = 4.0
GOAL_RATIO = 1.2
GOAL_FLOOR_SHARE = 0.7


# -- data -------------------------------------------------------------------------------------------


def seed_todos(aws: LocalAws, owner_id: str, count: int) -> None:
    """`count` todos for one owner, in the item shape the todos resolver writes (see adapters/dynamodb_todos)."""
    table = resource(aws.session(), "dynamodb", aws.endpoints.dynamodb).Table(TODOS_TABLE)
    with table.batch_writer() as batch:
        for n in range(count):
            # Distinct, increasing millisecond timestamps in the resolver's AWSDateTime form.
            created = f"2025-01-{1 + n // 24:02d}T{n % 24:02d}:00:00.{n:03d}Z"
            item: dict[str, Any] = {
                "ownerId": owner_id,
                "id": f"00000000-0000-4000-8000-{n:012d}",
                "title": f"Benchmark todo {n}",
                "done": n % 3 == 0,
                "version": 1 + n % 4,
                "createdAt": created,
                "updatedAt": created,
            }
            if n % 2 == 0:
                item["description"] = f"Description of todo {n}, long enough to look like a real one."
            if n % 5 != 0:
                item["dueDate"] = f"2025-02-{1 + n % 28:02d}"
            batch.put_item(Item=item)


def listed_items(name: str, url: str, token: str, body: bytes) -> list[dict[str, Any]]:
    """The items `listTodos` returns at `url`; a response with errors or no next page is a failed check."""
    result = post(url, {"Authorization": token}, body)
    connection = (result.get("data") or {}).get("listTodos")
    if result.get("errors") or not connection:
        raise BenchError(f"{name} answered with errors: {json.dumps(result)[:2000]}")
    if not connection.get("nextToken"):
        raise BenchError(f"{name} returned no nextToken for the first page of 20")
    items: list[dict[str, Any]] = connection["items"]
    return items


def check_same_items(peers: list[Server], token: str, body: bytes, expected: int) -> list[dict[str, Any]]:
    pages = {peer.name: listed_items(peer.name, peer.url, token, body) for peer in peers}
    first = next(iter(pages.values()))
    if len(first) != expected:
        raise BenchError(f"expected {expected} items, got {len(first)}")
    for name, page in pages.items():
        if page != first:
            raise BenchError(f"{name} returned different items:\n{json.dumps(pages, indent=1)[:4000]}")
    return first


# -- profile ----------------------------------------------------------------------------------------


def profile_runtime(
    runtime: Server, token: str, body: bytes, out_dir: Path, *, connections: int, seconds: float
) -> str:
    """Sample the runtime's server with py-spy under load; return a summary of the top costs."""
    folded = out_dir / "runtime.folded"
    rps = record_profile(
        runtime, ("Authorization", token), body, folded, connections=connections, seconds=seconds
    )
    summary = summarise_folded(folded.read_text())
    text = f"py-spy, {seconds:g} s at {rps:.0f} req/s while sampled ({folded}):\n{summary}"
    (out_dir / "summary.txt").write_text(text + "\n")
    return text


# The phases of one request. A sample belongs to the first of WHOLE_STACK_PHASES that any frame of its stack
# matches (the Lambda's DynamoDB call is botocore's, not the resolver's), else to the LEAF_PHASES match
# nearest the leaf (every GraphQL stack runs inside the runtime's executor, and every request inside HTTP).
WHOLE_STACK_PHASES = (
    ("botocore: the DynamoDB Query call (serialize, sign, HTTP, parse)", ("botocore/",)),
    ("boto3 resource layer (Table.query, type (de)serializers, conditions)", ("boto3/",)),
    ("Powertools AppSyncResolver + the todos resolver code", ("aws_lambda_powertools/", "resolvers/")),
    ("in-process Lambda (event/result JSON round trip, context)", ("appsync_local/lambda_runtime.py",)),
    ("JWT verification (PyJWT, cryptography)", ("jwt/", "appsync_local/auth/")),
    ("AWS scalar serialization (schema/aws_scalars.py)", ("schema/aws_scalars.py",)),
)
LEAF_PHASES = (
    (
        "runtime executor: field resolvers, event building, auth rules",
        ("appsync_local/executor.py", "appsync_local/resolver_event.py"),
    ),
    ("GraphQL: parse, validate, execute (graphql-core, strawberry)", ("graphql/", "strawberry/")),
    (
        "HTTP: uvicorn, starlette, request parsing, JSON response",
        ("uvicorn/", "starlette/", "appsync_local/http_app.py"),
    ),
    ("asyncio / threads (event loop, to_thread hand-off)", ("asyncio/", "threading.py", "concurrent/")),
)
OWN_CODE = ("appsync_local/", "resolvers/", "schema/")
# Hot spots worth naming on their own, by inclusive time: (label, the frame's function name).
KEY_FUNCTIONS = (
    ("GraphQL validation, every request (strawberry validate_document)", "validate_document"),
    ("GraphQL execution (strawberry Schema._execute_operation)", "Schema._execute_operation"),
    ("selectionSetGraphQL text (graphql print_ast)", "print_ast"),
    (
        "the resolver's DynamoDB Query (DynamoDbTodoRepository.query_newest_first)",
        "DynamoDbTodoRepository.query_newest_first",
    ),
    ("JWT verification (JwtVerifier.verify)", "JwtVerifier.verify"),
    ("response body JSON (starlette JSONResponse.render)", "JSONResponse.render"),
)


def phase_of(paths: list[str]) -> str:
    """The phase of one sampled stack, given its frames' file paths from the root to the leaf."""
    for label, markers in WHOLE_STACK_PHASES:
        if any(marker in path for path in paths for marker in markers):
            return label
    for path in reversed(paths):
        for label, markers in LEAF_PHASES:
            if any(marker in path for marker in markers):
                return label
    return "other"


def summarise_folded(text: str, top: int = 15) -> str:
    """Self and inclusive shares of the top functions, and the share of each request phase."""
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    phases: Counter[str] = Counter()
    total = 0
    for line in text.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [f for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        total += count
        self_time[frame_name(frames[-1])] += count
        for name in {frame_name(f) for f in frames}:
            inclusive[name] += count
        phase = phase_of([f.partition(" (")[2] for f in frames])
        phases[phase] += count
    if total == 0:
        return "(no samples)"
    lines = [f"{total} samples of the thread holding the GIL", "", "by phase:"]
    lines += [f"  {100 * n / total:5.1f}%  {label}" for label, n in phases.most_common()]
    lines += ["", "hot spots (inclusive):"]
    by_function: Counter[str] = Counter()
    for name, n in inclusive.items():
        by_function[name.partition(" (")[0]] += n
    lines += [f"  {100 * by_function[function] / total:5.1f}%  {label}" for label, function in KEY_FUNCTIONS]
    lines += ["", "top self time:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in self_time.most_common(top)]
    lines += ["", "the project's own functions by inclusive time:"]
    own = [(name, n) for name, n in inclusive.most_common() if name.partition(" (")[2].startswith(OWN_CODE)]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in own[:top]]
    return "\n".join(lines)


# -- report -----------------------------------------------------------------------------------------


def report(measurements: list[Measurement], args: argparse.Namespace) -> str:
    lines = per_round_table(measurements)
    lines += [
        "",
        (
            f"median of {args.rounds} rounds, {args.connections} connections, {args.duration:g} s each "
            f"(after {args.warmup:g} s warm-up):"
        ),
        "",
        (
            "| peer | req/s | p50 (ms) | p99 (ms) | server CPU (core 0) | server CPU ms / request "
            "| DynamoDB Local CPU (core 1) |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for peer, label in (
        ("runtime", "local runtime (appsync_local)"),
        ("simulator", f"amplify-appsync-simulator {SIMULATOR_VERSION}"),
        ("floor", "floor: JWT + the same boto3 Query, no GraphQL"),
    ):
        lines.append(
            f"| {label} | {median_of(measurements, peer, 'rps'):.0f} "
            f"| {median_of(measurements, peer, 'p50_ms'):.2f} | {median_of(measurements, peer, 'p99_ms'):.2f} "
            f"| {100 * median_of(measurements, peer, 'server_cpu'):.0f}% "
            f"| {median_of(measurements, peer, 'server_cpu_ms_per_request'):.2f} "
            f"| {100 * median_of(measurements, peer, 'dynamodb_cpu'):.0f}% |"
        )
    runtime_rps = median_of(measurements, "runtime", "rps")
    ratio = runtime_rps / median_of(measurements, "simulator", "rps")
    share = runtime_rps / median_of(measurements, "floor", "rps")
    cpu = {
        peer: median_of(measurements, peer, "server_cpu_ms_per_request")
        for peer in ("runtime", "simulator", "floor")
    }
    ratio_goal = f">= {GOAL_RATIO_CACHED:g}x with the app's API cache, >= {GOAL_RATIO:g}x without"
    floor_goal = f">= {100 * GOAL_FLOOR_SHARE:.0f}% without the cache"
    cpu_ratio = cpu["simulator"] / cpu["runtime"]
    cpu_share = cpu["floor"] / cpu["runtime"]
    lines += [
        "",
        f"throughput ratio runtime / simulator: {ratio:.2f}x (goal: {ratio_goal})",
        f"runtime's share of the floor: {100 * share:.0f}% (goal: {floor_goal})",
        f"by CPU per request (least affected by other load): {cpu_ratio:.2f}x the simulator, {cpu_share:.0%} of the floor",
    ]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    body = json.dumps({"query": QUERY}).encode()
    with contextlib.ExitStack() as stack:
        stage = set_stage(stack)
        aws, dynamodb_pid, pool = stage.aws, stage.dynamodb_pid, stage.pool
        sub = pool.sub_for(BENCH_USER)
        token = pool.mint(BENCH_USER, groups=[], ttl_seconds=3 * 3600)
        seed_todos(aws, sub, args.todos)

        runtime, simulator = start_peers(
            stack,
            stage,
            runtime_server=args.runtime_server,
            simulator_app=SIMULATOR_APP,
        )
        floor = start_floor(stack, stage, FLOOR_SERVER)
        peers = [runtime, simulator, floor]
        print(
            f"runtime pid {runtime.pid}, simulator pid {simulator.pid} and floor pid {floor.pid} on core "
            f"{SERVER_CORE}; DynamoDB Local "
            f"pid {dynamodb_pid}, moto, wrk and this script on core {SHARED_CORE}",
            flush=True,
        )

        print(f"load average before measuring: {load_average()}", flush=True)
        items = check_same_items(peers, token, body, expected=20)
        print(
            f"all three peers return the same 20 items (newest first: {items[0]['createdAt']} .. "
            f"{items[-1]['createdAt']}) and a nextToken",
            flush=True,
        )
        measurements = measure_rounds(
            peers,
            ("Authorization", token),
            body,
            dynamodb_pid,
            rounds=args.rounds,
            connections=args.connections,
            seconds=args.duration,
            warmup=args.warmup,
        )
        print(f"load average after measuring: {load_average()}", flush=True)
        # The load did not change what the peers answer.
        check_same_items(peers, token, body, expected=20)
        print(report(measurements, args), flush=True)
        if args.json:
            args.json.write_text(json.dumps([{**m.__dict__} for m in measurements], indent=1) + "\n")
        if args.profile:
            print(
                "",
                profile_runtime(
                    runtime, token, body, args.profile, connections=args.connections, seconds=args.duration
                ),
                sep="\n",
                flush=True,
            )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_options(parser)
    parser.add_argument("--todos", type=int, default=60, help="todos seeded for the bench user (at least 21)")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.duration <= 0 or args.connections < 1 or args.todos < 21:
        parser.error("--rounds and --connections must be >= 1, --duration > 0 and --todos >= 21")
    return run_script(run, args)


if __name__ == "__main__":
    sys.exit(main())
