"""Benchmark: `listTodos(limit: 20)` with a user JWT, the local runtime vs amplify-appsync-simulator.

One run starts one DynamoDB Local (in memory) and moto, seeds one user's todos, then serves the same query
from the same data with both peers, each in its own process pinned to core 0:

* the local runtime (`bench/serve_runtime.py`): Cognito JWT verification, the Powertools Lambda resolver
  invoked in-process, boto3 to DynamoDB Local;
* amplify-appsync-simulator (`bench/simulator/serve.js`): a VTL unit resolver on a DynamoDB data source.

DynamoDB Local, moto, this script and the load generator (wrk) share core 1. Both peers are checked to return
the same items, then measured alternately for several rounds (warm-up, then a fixed duration with fixed
connections); the medians are reported. `--profile DIR` then samples the runtime's server under the same
load with py-spy and summarises where its time goes.

Usage::

    .venv/bin/python bench/listtodos.py [--rounds 3] [--duration 10] [--connections 16] [--profile DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import selectors
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Self

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from appsync_local.config import AppConfig, load_config
from appsync_local.local_aws import LocalAws, LocalAwsError, resource
from appsync_local.runtime import local_user_pool
from appsync_local.server import function_environment

SERVER_CORE = 0
SHARED_CORE = 1
BENCH_USER = "bench-user"
TODOS_TABLE = "Todos"
QUERY = (
    "query ListTodos { listTodos(limit: 20) { items { id title done dueDate version createdAt } nextToken } }"
)
WRK_SCRIPT = BENCH / "wrk" / "graphql_post.lua"
SIMULATOR_DIR = BENCH / "simulator"
SIMULATOR_PACKAGE = BENCH / "node_modules" / "amplify-appsync-simulator"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
START_TIMEOUT_SECONDS = 60


class BenchError(RuntimeError):
    """A precondition or a check failed; the message says what to do."""


# -- processes --------------------------------------------------------------------------------------


def _load_libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return None


# Loaded up front, so the child runs as little as possible between fork and exec (moto runs on a thread).
_LIBC = _load_libc()
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Children end when this script dies, even by SIGKILL (PR_SET_PDEATHSIG survives exec)."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class Server:
    """A child server process that prints ``{"port": N}`` on its first line, stopped on exit."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], cwd: Path) -> None:
        self.name = name
        self.port = 0
        self._log: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - open for the child's lifetime
        self._process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._log,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - only a prctl call between fork and exec
            # Its own process group: a Ctrl-C reaches only this script, which then stops the child itself.
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    def wait_for_port(self, timeout: float = START_TIMEOUT_SECONDS) -> Self:
        assert self._process.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(self._process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            if selector.select(timeout=0.2):
                line = self._process.stdout.readline()
                if not line:
                    break
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    self.port = int(json.loads(line)["port"])
                    return self
        raise BenchError(f"the {self.name} server did not start.\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        self._log.flush()
        self._log.seek(0)
        text = self._log.read().decode("utf-8", "replace").splitlines()[-lines:]
        return "Its output ended with:\n" + "\n".join(text) if text else "It printed nothing."

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._log.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def child_pids(parent: int, command_name: str) -> list[int]:
    """The direct children of `parent` whose command name is `command_name`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            comm = stat[stat.index("(") + 1 : stat.rindex(")")]
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == parent and comm == command_name:
                found.append(int(entry.name))
    return found


def load_average() -> str:
    """The 1/5/15-minute load averages: other work on the machine skews a benchmark of two cores."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def pin_process(pid: int, core: int) -> None:
    """Pin every thread of `pid` to `core` (threads it starts later inherit the pinning)."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(ProcessLookupError):
            os.sched_setaffinity(int(task.name), {core})


# -- preconditions, data ----------------------------------------------------------------------------


def require_tools() -> dict[str, str]:
    tools: dict[str, str] = {}
    hints = {
        "wrk": "the load generator: install it with `apt-get install -y wrk`",
        "taskset": "pins the servers to a core: it ships in util-linux (`apt-get install -y util-linux`)",
        "node": "runs amplify-appsync-simulator: install Node.js 18+",
    }
    for tool, hint in hints.items():
        path = shutil.which(tool)
        if path is None:
            raise BenchError(f"`{tool}` was not found on PATH; {hint}.")
        tools[tool] = path
    if not SIMULATOR_PACKAGE.is_dir():
        raise BenchError(
            f"amplify-appsync-simulator is not installed in {SIMULATOR_PACKAGE.parent}: run `npm ci --prefix bench`."
        )
    if len(os.sched_getaffinity(0)) < 2 or not {SERVER_CORE, SHARED_CORE} <= os.sched_getaffinity(0):
        raise BenchError(
            f"the benchmark needs cores {SERVER_CORE} and {SHARED_CORE}; this process may use "
            f"{sorted(os.sched_getaffinity(0))}."
        )
    return tools


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


def post(url: str, token: str, body: bytes) -> dict[str, Any]:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json", "Authorization": token}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return dict(json.loads(response.read()))
    except (OSError, ValueError) as exc:  # URLError and HTTPError are OSErrors
        raise BenchError(f"POST {url} failed: {exc}") from exc


def listed_items(name: str, url: str, token: str, body: bytes) -> list[dict[str, Any]]:
    """The items `listTodos` returns at `url`; a response with errors or no next page is a failed check."""
    result = post(url, token, body)
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


# -- load -------------------------------------------------------------------------------------------


@dataclass
class Measurement:
    peer: str
    round: int
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    server_cpu: float
    dynamodb_cpu: float
    server_cpu_ms_per_request: float
    raw: dict[str, Any] = field(repr=False, default_factory=dict)


def run_wrk(url: str, token: str, body: bytes, *, connections: int, seconds: float) -> dict[str, Any]:
    env = {**os.environ, "BENCH_TOKEN": token, "BENCH_BODY": body.decode()}
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "5s",
        "--latency",
        "-s",
        str(WRK_SCRIPT),
        url,
    ]
    completed = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            return dict(json.loads(line.removeprefix("BENCH_RESULT ")))
    raise BenchError(f"wrk failed (exit {completed.returncode}):\n{completed.stdout}\n{completed.stderr}")


def measure(
    peer: Server,
    round_: int,
    token: str,
    body: bytes,
    dynamodb_pid: int,
    *,
    connections: int,
    seconds: float,
    warmup: float,
) -> Measurement:
    if warmup > 0:
        run_wrk(peer.url, token, body, connections=connections, seconds=warmup)
    server_before, dynamodb_before, started = (
        cpu_seconds(peer.pid),
        cpu_seconds(dynamodb_pid),
        time.monotonic(),
    )
    raw = run_wrk(peer.url, token, body, connections=connections, seconds=seconds)
    elapsed = time.monotonic() - started
    server_cpu_seconds = cpu_seconds(peer.pid) - server_before
    server_cpu = server_cpu_seconds / elapsed
    dynamodb_cpu = (cpu_seconds(dynamodb_pid) - dynamodb_before) / elapsed
    errors = sum(
        raw[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    )
    return Measurement(
        peer=peer.name,
        round=round_,
        requests=raw["requests"],
        rps=raw["requests"] / (raw["duration_us"] / 1e6),
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        errors=errors,
        server_cpu=server_cpu,
        dynamodb_cpu=dynamodb_cpu,
        server_cpu_ms_per_request=1000 * server_cpu_seconds / max(1, raw["requests"]),
        raw=raw,
    )


# -- profile ----------------------------------------------------------------------------------------


def profile_runtime(
    runtime: Server, token: str, body: bytes, out_dir: Path, *, connections: int, seconds: float
) -> str:
    """Sample the runtime's server with py-spy under load; return a summary of the top costs."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        raise BenchError("--profile needs py-spy: `.venv/bin/pip install py-spy`")
    out_dir.mkdir(parents=True, exist_ok=True)
    folded = out_dir / "runtime.folded"
    sampler = subprocess.Popen(
        [
            py_spy,
            "record",
            "--pid",
            str(runtime.pid),
            "--rate",
            "250",
            "--duration",
            f"{seconds:g}",
            "--format",
            "raw",
            "--output",
            str(folded),
            "--nonblocking",
            "--gil",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_die_with_parent,  # noqa: PLW1509 - only a prctl call between fork and exec
    )
    try:
        time.sleep(1)  # py-spy attaches before the load starts
        raw = run_wrk(runtime.url, token, body, connections=connections, seconds=seconds)
        _, error = sampler.communicate(timeout=seconds + 60)
    finally:
        if sampler.poll() is None:
            sampler.kill()
            sampler.wait()
    if not folded.exists():
        raise BenchError(f"py-spy wrote no profile: {error}")
    summary = summarise_folded(folded.read_text())
    rps = raw["requests"] / (raw["duration_us"] / 1e6)
    text = f"py-spy, {seconds:g} s at {rps:.0f} req/s while sampled ({folded}):\n{summary}"
    (out_dir / "summary.txt").write_text(text + "\n")
    return text


def _frame_name(frame: str) -> str:
    """`function (path/to/module.py:123)` -> `function (module.py)` with the path shortened."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "python3.11/", str(ROOT) + "/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{name} ({path})"


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
        self_time[_frame_name(frames[-1])] += count
        for name in {_frame_name(f) for f in frames}:
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
    def median(peer: str, attribute: str) -> float:
        return statistics.median(getattr(m, attribute) for m in measurements if m.peer == peer)

    header = (
        f"  {'round':>5}  {'peer':<10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'errors':>6} {'server CPU':>10} {'CPU ms/req':>10} {'DDB Local CPU':>13}"
    )
    lines = ["", "per round:", header]
    for m in measurements:
        lines.append(
            f"  {m.round:>5}  {m.peer:<10} {m.rps:>8.0f} {m.p50_ms:>8.2f} {m.p99_ms:>8.2f} {m.errors:>6} "
            f"{100 * m.server_cpu:>9.0f}% {m.server_cpu_ms_per_request:>10.2f} {100 * m.dynamodb_cpu:>12.0f}%"
        )
    runtime_rps, simulator_rps = median("runtime", "rps"), median("simulator", "rps")
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
        ("simulator", "amplify-appsync-simulator 2.4.1"),
    ):
        lines.append(
            f"| {label} | {median(peer, 'rps'):.0f} | {median(peer, 'p50_ms'):.2f} | {median(peer, 'p99_ms'):.2f} "
            f"| {100 * median(peer, 'server_cpu'):.0f}% | {median(peer, 'server_cpu_ms_per_request'):.2f} "
            f"| {100 * median(peer, 'dynamodb_cpu'):.0f}% |"
        )
    lines += ["", f"throughput ratio runtime / simulator: {runtime_rps / simulator_rps:.2f}x (goal: >= 3x)"]
    return "\n".join(lines)


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM unwinds like Ctrl-C, so every child is stopped either way."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run(args: argparse.Namespace) -> int:
    require_tools()
    # This process, and so DynamoDB Local, moto and wrk that it starts, runs on the shared core.
    os.sched_setaffinity(0, {SHARED_CORE})
    config: AppConfig = load_config(ROOT / "appsync.toml")
    body = json.dumps({"query": QUERY}).encode()
    with contextlib.ExitStack() as stack:
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="appsync-bench-")))
        print("starting DynamoDB Local (in memory) and moto ...", flush=True)
        # Full JIT (no quick start): the benchmark wants DynamoDB Local's peak throughput, not a fast boot.
        aws = stack.enter_context(LocalAws(config, in_memory=True, dynamodb="local", quick_start=False))
        java = child_pids(os.getpid(), "java")
        if len(java) != 1:
            raise BenchError(f"expected one DynamoDB Local (java) child process, found {java}")
        dynamodb_pid = java[0]
        pin_process(dynamodb_pid, SHARED_CORE)

        pool = local_user_pool(config, data_dir)
        if pool is None:
            raise BenchError("appsync.toml configures no Cognito user pool")
        sub = pool.sub_for(BENCH_USER)
        token = pool.mint(BENCH_USER, groups=[], ttl_seconds=3 * 3600)
        seed_todos(aws, sub, args.todos)

        env = {**os.environ, **aws.endpoints.environment(), **function_environment(config)}
        env.pop("PYTHONPATH", None)
        pin = ["taskset", "-c", str(SERVER_CORE)]
        runtime = stack.enter_context(
            Server(
                "runtime",
                [*pin, sys.executable, str(args.runtime_server), "--data-dir", str(data_dir)],
                env,
                ROOT,
            )
        )
        simulator = stack.enter_context(
            Server(
                "simulator",
                [*pin, "node", str(SIMULATOR_DIR / "serve.js")],
                {
                    **env,
                    "SCHEMA_PATH": str(ROOT / "schema.graphql"),
                    "DYNAMODB_ENDPOINT": aws.endpoints.dynamodb,
                    "TODOS_TABLE": TODOS_TABLE,
                },
                SIMULATOR_DIR,
            )
        )
        runtime.wait_for_port()
        simulator.wait_for_port()
        peers = [runtime, simulator]
        for peer in peers:
            affinity = os.sched_getaffinity(peer.pid)
            if affinity != {SERVER_CORE}:
                raise BenchError(f"{peer.name} runs on cores {sorted(affinity)}, not {SERVER_CORE}")
        print(
            f"runtime pid {runtime.pid} and simulator pid {simulator.pid} on core {SERVER_CORE}; DynamoDB Local "
            f"pid {dynamodb_pid}, moto, wrk and this script on core {SHARED_CORE}",
            flush=True,
        )

        print(f"load average before measuring: {load_average()}", flush=True)
        items = check_same_items(peers, token, body, expected=20)
        print(
            f"both peers return the same 20 items (newest first: {items[0]['createdAt']} .. "
            f"{items[-1]['createdAt']}) and a nextToken",
            flush=True,
        )

        measurements: list[Measurement] = []
        for round_ in range(1, args.rounds + 1):
            # Alternate which peer goes first, so neither always follows the other's load.
            order = peers if round_ % 2 else list(reversed(peers))
            for peer in order:
                m = measure(
                    peer,
                    round_,
                    token,
                    body,
                    dynamodb_pid,
                    connections=args.connections,
                    seconds=args.duration,
                    warmup=args.warmup,
                )
                measurements.append(m)
                print(
                    f"  round {round_} {peer.name:<9} {m.rps:7.0f} req/s  p50 {m.p50_ms:6.2f} ms  "
                    f"p99 {m.p99_ms:6.2f} ms  errors {m.errors}  server CPU {100 * m.server_cpu:.0f}%",
                    flush=True,
                )
                if m.errors:
                    raise BenchError(f"{peer.name} had {m.errors} failed requests in round {round_}: {m.raw}")
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
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each measuring both peers (default 3)")
    parser.add_argument("--duration", type=float, default=10, help="seconds measured per peer and round")
    parser.add_argument(
        "--warmup", type=float, default=5, help="seconds of unmeasured load before each measurement"
    )
    parser.add_argument("--connections", type=int, default=16, help="concurrent wrk connections")
    parser.add_argument("--todos", type=int, default=60, help="todos seeded for the bench user (at least 21)")
    parser.add_argument("--json", type=Path, help="also write every measurement to this JSON file")
    parser.add_argument(
        "--profile", type=Path, help="then profile the runtime under load with py-spy into DIR"
    )
    parser.add_argument(
        "--runtime-server",
        type=Path,
        default=BENCH / "serve_runtime.py",
        help="serve the runtime with this script instead (same interface as serve_runtime.py), "
        "to measure a change to the runtime before making it",
    )
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.duration <= 0 or args.connections < 1 or args.todos < 21:
        parser.error("--rounds and --connections must be >= 1, --duration > 0 and --todos >= 21")
    try:
        with sigterm_as_interrupt():
            return run(args)
    except (BenchError, LocalAwsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; every child process was stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
