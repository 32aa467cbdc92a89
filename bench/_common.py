"""What the benchmarks share: child servers pinned to a core, local AWS, wrk load, CPU and memory readings.

Every child process is started with `PR_SET_PDEATHSIG` and in its own session, and stopped by its context
manager, so a benchmark leaves nothing running, whether it ends normally, on an error or on Ctrl-C/SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import resource
import selectors
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Self

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from appdef import AppConfig, load_config
from appsync_local.auth import LocalUserPool
from appsync_local.local_aws import LocalAws, LocalAwsError
from appsync_local.runtime import local_user_pool

SERVER_CORE = 0
SHARED_CORE = 1
WRK_SCRIPT = BENCH / "wrk" / "graphql_post.lua"
SIMULATOR_DIR = BENCH / "simulator"
SIMULATOR_PACKAGE = BENCH / "node_modules" / "amplify-appsync-simulator"
SIMULATOR_VERSION = "2.4.1"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
START_TIMEOUT_SECONDS = 60
# The signal both bench servers answer with one JSON line of their data-source call counts on stdout
# (SIGUSR1 is Node's debugger signal).
COUNTERS_SIGNAL = signal.SIGUSR2


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


def die_with_parent() -> None:
    """Children end when this script dies, even by SIGKILL (PR_SET_PDEATHSIG survives exec)."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def raise_fd_limit() -> int:
    """Raise this process's open-file limit to its hard limit (children inherit it); returns the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def log_tail(log: IO[bytes], lines: int = 30) -> str:
    """The last `lines` of a child's output file, for an error message (the file stays open for more)."""
    log.flush()
    log.seek(0)
    text = log.read().decode("utf-8", "replace").splitlines()[-lines:]
    log.seek(0, os.SEEK_END)
    return "Its output ended with:\n" + "\n".join(text) if text else "It printed nothing."


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
            preexec_fn=die_with_parent,  # only a prctl call between fork and exec
            # Its own process group: a Ctrl-C reaches only this script, which then stops the child itself.
            start_new_session=True,
        )
        assert self._process.stdout is not None
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._process.stdout, selectors.EVENT_READ)

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def _read_json_line(self, key: str, timeout: float) -> dict[str, Any]:
        """The next line on the child's stdout that is a JSON object with `key`."""
        assert self._process.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            if self._selector.select(timeout=0.2):
                line = self._process.stdout.readline()
                if not line:
                    break
                with contextlib.suppress(ValueError):
                    value = json.loads(line)
                    if isinstance(value, dict) and key in value:
                        return value
        raise BenchError(f"the {self.name} server gave no {key!r} line.\n{self.log_tail()}")

    def wait_for_port(self, timeout: float = START_TIMEOUT_SECONDS) -> Self:
        try:
            self.port = int(self._read_json_line("port", timeout)["port"])
        except BenchError:
            raise BenchError(f"the {self.name} server did not start.\n{self.log_tail()}") from None
        return self

    def counters(self, timeout: float = 10) -> dict[str, int]:
        """The server's data-source call counts so far (it prints them on `COUNTERS_SIGNAL`)."""
        os.kill(self.pid, COUNTERS_SIGNAL)
        return {str(k): int(v) for k, v in self._read_json_line("calls", timeout)["calls"].items()}

    def log_tail(self, lines: int = 30) -> str:
        return log_tail(self._log, lines)

    def alive(self) -> bool:
        return self._process.poll() is None

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._selector.close()
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


def rss_bytes(pid: int) -> int:
    """Resident set size of a process now (from /proc/<pid>/statm)."""
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


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


def require_tools(*tools: str) -> None:
    """Stop with a clear message when a tool, the simulator's package or the two cores are missing."""
    hints = {
        "wrk": "the load generator: install it with `apt-get install -y wrk`",
        "taskset": "pins the servers to a core: it ships in util-linux (`apt-get install -y util-linux`)",
        "node": "runs amplify-appsync-simulator: install Node.js 18+",
    }
    for tool in tools:
        if shutil.which(tool) is None:
            raise BenchError(f"`{tool}` was not found on PATH; {hints.get(tool, 'install it')}.")
    if not SIMULATOR_PACKAGE.is_dir():
        raise BenchError(
            f"amplify-appsync-simulator is not installed in {SIMULATOR_PACKAGE.parent}: run `npm ci --prefix bench`."
        )
    if not {SERVER_CORE, SHARED_CORE} <= os.sched_getaffinity(0):
        raise BenchError(
            f"the benchmark needs cores {SERVER_CORE} and {SHARED_CORE}; this process may use "
            f"{sorted(os.sched_getaffinity(0))}."
        )


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


# -- the stack: local AWS and the two peers -----------------------------------------------------------


def start_local_aws(stack: contextlib.ExitStack, config: AppConfig) -> tuple[LocalAws, int]:
    """DynamoDB Local (in memory, full JIT) and moto, the JVM pinned to the shared core; returns its pid too."""
    print("starting DynamoDB Local (in memory) and moto ...", flush=True)
    # Full JIT (no quick start): the benchmark wants DynamoDB Local's peak throughput, not a fast boot.
    aws = stack.enter_context(LocalAws(config, in_memory=True, dynamodb="local", quick_start=False))
    java = child_pids(os.getpid(), "java")
    if len(java) != 1:
        raise BenchError(f"expected one DynamoDB Local (java) child process, found {java}")
    pin_process(java[0], SHARED_CORE)
    return aws, java[0]


@dataclass
class BenchStage:
    """What every server benchmark stands on: the app, a data folder, local AWS and the local user pool."""

    config: AppConfig
    data_dir: Path
    aws: LocalAws
    dynamodb_pid: int
    pool: LocalUserPool


def set_stage(stack: contextlib.ExitStack, tools: Sequence[str] = ("wrk", "taskset", "node")) -> BenchStage:
    """Pin this process to the shared core, then start local AWS for appsync.toml in a temporary data folder."""
    require_tools(*tools)
    # This process, and so DynamoDB Local, moto and wrk that it starts, runs on the shared core.
    os.sched_setaffinity(0, {SHARED_CORE})
    config = load_config(ROOT / "appsync.toml")
    data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="appsync-bench-")))
    aws, dynamodb_pid = start_local_aws(stack, config)
    pool = local_user_pool(config, data_dir)
    if pool is None:
        raise BenchError("appsync.toml configures no Cognito user pool")
    return BenchStage(config, data_dir, aws, dynamodb_pid, pool)


def start_peers(
    stack: contextlib.ExitStack,
    stage: BenchStage,
    *,
    runtime_server: Path,
    simulator_app: Path,
    simulator_env: Mapping[str, str] | None = None,
) -> tuple[Server, Server]:
    """The local runtime and amplify-appsync-simulator, each in its own process pinned to the server core,
    both on the stage's DynamoDB Local."""
    env = {**os.environ, **stage.aws.endpoints.environment()}
    env.pop("PYTHONPATH", None)
    env["DYNAMODB_ENDPOINT"] = stage.aws.endpoints.dynamodb
    data_dir = stage.data_dir
    pin = ["taskset", "-c", str(SERVER_CORE)]
    runtime = stack.enter_context(
        Server(
            "runtime",
            [*pin, sys.executable, str(runtime_server), "--data-dir", str(data_dir)],
            dict(env),
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
                "SIMULATOR_APP": str(simulator_app),
                **(simulator_env or {}),
            },
            SIMULATOR_DIR,
        )
    )
    runtime.wait_for_port()
    simulator.wait_for_port()
    for peer in (runtime, simulator):
        affinity = os.sched_getaffinity(peer.pid)
        if affinity != {SERVER_CORE}:
            raise BenchError(f"{peer.name} runs on cores {sorted(affinity)}, not {SERVER_CORE}")
    return runtime, simulator


def start_floor(stack: contextlib.ExitStack, stage: BenchStage, script: Path) -> Server:
    """A floor server (`serve_floor*.py`), pinned to the server core like the two peers, on the same
    DynamoDB Local."""
    env = {**os.environ, **stage.aws.endpoints.environment()}
    env.pop("PYTHONPATH", None)
    command = [
        "taskset",
        "-c",
        str(SERVER_CORE),
        sys.executable,
        str(script),
        "--data-dir",
        str(stage.data_dir),
    ]
    floor = stack.enter_context(Server("floor", command, env, ROOT))
    return floor.wait_for_port()


def add_common_options(parser: argparse.ArgumentParser, *, load: bool = True) -> None:
    """The options every benchmark script shares: how the runtime is served, and (for HTTP load) wrk's."""
    if load:
        parser.add_argument(
            "--rounds", type=int, default=3, help="rounds, each measuring both peers (default 3)"
        )
        parser.add_argument("--duration", type=float, default=10, help="seconds measured per peer and round")
        parser.add_argument(
            "--warmup", type=float, default=5, help="seconds of unmeasured load before each measurement"
        )
        parser.add_argument("--connections", type=int, default=16, help="concurrent wrk connections")
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


def run_script(run: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a benchmark's body: SIGTERM acts like Ctrl-C, and either way every child process is stopped."""
    try:
        with sigterm_as_interrupt():
            return run(args)
    except (BenchError, LocalAwsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; every child process was stopped", file=sys.stderr)
        return 130


def post(url: str, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return dict(json.loads(response.read()))
    except (OSError, ValueError) as exc:  # URLError and HTTPError are OSErrors
        raise BenchError(f"POST {url} failed: {exc}") from exc


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
    calls_per_request: float | None = None
    raw: dict[str, Any] = field(repr=False, default_factory=dict)


def run_wrk(
    url: str, header: tuple[str, str], body: bytes, *, connections: int, seconds: float
) -> dict[str, Any]:
    """wrk POSTing `body` with one auth header for `seconds`; its summary (latencies in microseconds)."""
    env = {
        **os.environ,
        "BENCH_AUTH_HEADER": header[0],
        "BENCH_TOKEN": header[1],
        "BENCH_BODY": body.decode(),
    }
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
    header: tuple[str, str],
    body: bytes,
    dynamodb_pid: int,
    *,
    connections: int,
    seconds: float,
    warmup: float,
    count_calls: bool = False,
) -> Measurement:
    """One warm-up and one measured wrk run against `peer`, with the server's CPU (and data-source calls)."""
    if warmup > 0:
        run_wrk(peer.url, header, body, connections=connections, seconds=warmup)
    calls_before = sum(peer.counters().values()) if count_calls else 0
    server_before, dynamodb_before, started = (
        cpu_seconds(peer.pid),
        cpu_seconds(dynamodb_pid),
        time.monotonic(),
    )
    raw = run_wrk(peer.url, header, body, connections=connections, seconds=seconds)
    elapsed = time.monotonic() - started
    server_cpu_seconds = cpu_seconds(peer.pid) - server_before
    dynamodb_cpu = (cpu_seconds(dynamodb_pid) - dynamodb_before) / elapsed
    requests = max(1, raw["requests"])
    calls = (sum(peer.counters().values()) - calls_before) / requests if count_calls else None
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
        server_cpu=server_cpu_seconds / elapsed,
        dynamodb_cpu=dynamodb_cpu,
        server_cpu_ms_per_request=1000 * server_cpu_seconds / requests,
        calls_per_request=calls,
        raw=raw,
    )


def measure_rounds(
    peers: Sequence[Server],
    header: tuple[str, str],
    body: bytes,
    dynamodb_pid: int,
    *,
    rounds: int,
    connections: int,
    seconds: float,
    warmup: float,
    count_calls: bool = False,
) -> list[Measurement]:
    """Every peer, every round; the order alternates between rounds so neither always follows the other."""
    measurements: list[Measurement] = []
    for round_ in range(1, rounds + 1):
        order = list(peers) if round_ % 2 else list(reversed(peers))
        for peer in order:
            m = measure(
                peer,
                round_,
                header,
                body,
                dynamodb_pid,
                connections=connections,
                seconds=seconds,
                warmup=warmup,
                count_calls=count_calls,
            )
            measurements.append(m)
            calls = (
                ""
                if m.calls_per_request is None
                else f"  data-source calls/request {m.calls_per_request:.2f}"
            )
            print(
                f"  round {round_} {peer.name:<9} {m.rps:7.0f} req/s  p50 {m.p50_ms:6.2f} ms  "
                f"p99 {m.p99_ms:6.2f} ms  errors {m.errors}  server CPU {100 * m.server_cpu:.0f}%{calls}",
                flush=True,
            )
            if m.errors:
                raise BenchError(f"{peer.name} had {m.errors} failed requests in round {round_}: {m.raw}")
    return measurements


def median_of(measurements: Sequence[Measurement], peer: str, attribute: str) -> float:
    return statistics.median(getattr(m, attribute) for m in measurements if m.peer == peer)


def per_round_table(measurements: Sequence[Measurement]) -> list[str]:
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
    return lines


# -- profile ----------------------------------------------------------------------------------------


def record_profile(
    server: Server, header: tuple[str, str], body: bytes, folded: Path, *, connections: int, seconds: float
) -> float:
    """Sample `server` with py-spy (GIL holder only) under wrk load into `folded`; returns the req/s meanwhile."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        raise BenchError("--profile needs py-spy: `.venv/bin/pip install py-spy`")
    folded.parent.mkdir(parents=True, exist_ok=True)
    sampler = subprocess.Popen(
        [
            py_spy,
            "record",
            "--pid",
            str(server.pid),
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
        preexec_fn=die_with_parent,  # only a prctl call between fork and exec
    )
    try:
        time.sleep(1)  # py-spy attaches before the load starts
        raw = run_wrk(server.url, header, body, connections=connections, seconds=seconds)
        _, error = sampler.communicate(timeout=seconds + 60)
    finally:
        if sampler.poll() is None:
            sampler.kill()
            sampler.wait()
    if not folded.exists():
        raise BenchError(f"py-spy wrote no profile: {error}")
    return float(raw["requests"] / (raw["duration_us"] / 1e6))


def frame_name(frame: str) -> str:
    """`function (path/to/module.py:123)` -> `function (module.py)` with the path shortened."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "python3.11/", str(ROOT) + "/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{name} ({path})"
