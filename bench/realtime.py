"""Benchmark: realtime fan-out (publishPost -> onCreatePost) and idle WebSocket connections, runtime vs simulator.

One run starts one DynamoDB Local (in memory) and moto, seeds an author's profile and DRAFT posts, and starts
both peers, each in its own process pinned to core 0, each serving AppSync's realtime protocol (subprotocol
``graphql-ws``) on ``/graphql``:

* the local runtime (`bench/serve_runtime.py`): the app's `Mutation.publishPost` APPSYNC_JS pipeline, the
  `Subscription.onCreatePost` resolver's enhanced filter (``status eq PUBLISHED``), the runtime's
  `SubscriptionRegistry` fan-out;
* amplify-appsync-simulator 2.4.1 (`bench/simulator/serve.js` with ``REALTIME=1`` and
  `simulator/realtime.json`): a VTL UpdateItem for `Mutation.publishPost`, and the simulator's own
  realtime server (`WebsocketSubscriptionServer`), which speaks the same AppSync ``graphql-ws`` dialect.

The load runs on core 1, in two processes. The subscribers' process (`bench/_realtime_client.py`, started
for each fan-out) holds one raw `websockets` client connection per subscriber, authenticated with the API key
(``?header=<base64 JSON>&payload=e30=``, then ``connection_init``/``connection_ack``, ``start`` with
``extensions.authorization``/``start_ack``), and notes when each message arrives. This script is the
publisher: it sends each publishPost on a blocking socket and reads its response with nothing else to do, so
the response's time is the server's, not a client busy reading the fan-out. Both processes read the same
clock, ``time.monotonic()`` (CLOCK_MONOTONIC, system-wide). It measures, for each peer:

1. fan-out to 100 and 1,000 subscribers: an author (Cognito JWT, group ``authors``) publishes a DRAFT
   created beforehand over HTTP; every subscriber's receipt time minus the time the mutation was sent is its
   delivery latency; delivered % counts the subscribers that got it within the timeout. The mutation's own
   response time (sent to read in full) is reported with the subscribers and, measured just before, with no
   subscriber (the same number of publishes to the same server): the difference is what the fan-out costs
   the mutation's caller;
2. memory per idle connection: the server's RSS before and after opening N idle connections (acknowledged,
   no subscription), divided by N;
3. the most idle connections one server process holds: up to 10,000 (the fd limit is raised to the hard
   limit first), held for a while, then checked to still be open and the server still serving.

Usage::

    .venv/bin/python bench/realtime.py [--subscribers 100,1000] [--publishes 20] [--idle 1000] [--max 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Self

from _common import (
    SERVER_CORE,
    SHARED_CORE,
    SIMULATOR_DIR,
    SIMULATOR_VERSION,
    BenchError,
    Server,
    add_common_options,
    cpu_seconds,
    die_with_parent,
    frame_name,
    load_average,
    log_tail,
    open_fds,
    raise_fd_limit,
    rss_bytes,
    run_script,
    set_stage,
    start_peers,
)
from _realtime_client import (
    close_all,
    connection_url,
    event_loop_policy,
    open_many,
    start_message,
)

from appsync_local.local_aws import LocalAws, resource
from appsync_local.runtime import api_key_store

SIMULATOR_APP = SIMULATOR_DIR / "realtime.json"
SIMULATOR_API_KEY = "da2-bench"  # serve.js configures this key
AUTHOR = "bench-author"
SUBSCRIPTION = "subscription OnCreatePost { onCreatePost { id title status authorId createdAt } }"
PUBLISH = "mutation Publish($id: ID!) { publishPost(id: $id) { id title status authorId tags createdAt } }"
CLIENT_SCRIPT = Path(__file__).resolve().parent / "_realtime_client.py"
WARMUP_PUBLISHES = 3
DELIVERY_TIMEOUT_SECONDS = 10.0
SUBSCRIBE_TIMEOUT_SECONDS = 180.0  # the subscribers' process: every connection opened and subscribed
REPORT_MARGIN_SECONDS = 10.0  # its answer after the delivery deadline
CLOSE_TIMEOUT_SECONDS = 20.0  # its connections closed when told to stop
GOAL_P99_MS = 100.0


# -- data -------------------------------------------------------------------------------------------


def seed(aws: LocalAws, author_sub: str, drafts_per_peer: int) -> dict[str, list[str]]:
    """The author's profile and DRAFT posts for each peer (a publish consumes one); returns their ids."""
    session = aws.session()
    dynamodb = resource(session, "dynamodb", aws.endpoints.dynamodb)
    dynamodb.Table("Users").put_item(
        Item={
            "id": author_sub,
            "username": AUTHOR,
            "email": "author@example.com",
            "name": "Bench Author",
            "bio": "Publishes on cue.",
            "createdAt": "2024-05-01T09:00:00.000Z",
            "updatedAt": "2024-05-01T09:00:00.000Z",
        }
    )
    ids: dict[str, list[str]] = {}
    with dynamodb.Table("Posts").batch_writer() as batch:
        for p, peer in enumerate(("runtime", "simulator")):
            ids[peer] = []
            for n in range(drafts_per_peer):
                post_id = f"2000000{p}-0000-4000-8000-{n:012d}"
                created = f"2025-04-01T00:{n // 60 % 60:02d}:{n % 60:02d}.{p:03d}Z"
                batch.put_item(
                    Item={
                        "id": post_id,
                        "authorId": author_sub,
                        "title": f"Realtime post {p}-{n}",
                        "body": "b" * 200,
                        "tags": ["bench"],
                        "status": "DRAFT",
                        "createdAt": created,
                        "updatedAt": created,
                    }
                )
                ids[peer].append(post_id)
    return ids


# -- the AppSync realtime client ----------------------------------------------------------------------


@dataclass
class Peer:
    """One server under test and the credentials the load uses on it."""

    name: str
    server: Server
    api_key: str
    token: str
    drafts: list[str]

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server.port}"

    def connection_url(self) -> str:
        return connection_url(self.server.ws_url, self.host, self.api_key)

    def start_message(self, subscription_id: str) -> str:
        return start_message(subscription_id, SUBSCRIPTION, self.host, self.api_key)


class Subscribers:
    """The subscribers' process (`_realtime_client.py`), on the load core like this script: `count`
    connections, each with one onCreatePost subscription; for each publish, its receipt times."""

    def __init__(self, peer: Peer, count: int) -> None:
        self.peer = peer
        self.count = count
        self.cpu = 0.0  # its CPU time (s) at its last answer
        self._log: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - open for the child's lifetime
        self._process = subprocess.Popen(
            ["taskset", "-c", str(SHARED_CORE), sys.executable, str(CLIENT_SCRIPT)],
            cwd=CLIENT_SCRIPT.parent,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            preexec_fn=die_with_parent,  # only a prctl call between fork and exec
            start_new_session=True,  # a Ctrl-C reaches only this script, which then stops the child
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self._stdin, self._stdout = self._process.stdin, self._process.stdout
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._stdout, selectors.EVENT_READ)

    def subscribe(self) -> None:
        """Every subscriber connected, acknowledged and subscribed (`start_ack`), or a BenchError."""
        self._send(
            {"url": self.peer.connection_url(), "start": self.peer.start_message("1"), "count": self.count}
        )
        answer = self._receive(SUBSCRIBE_TIMEOUT_SECONDS)
        if answer.get("subscribed") != self.count:
            raise BenchError(f"{self.peer.name}: {answer.get('error', answer)}")
        affinity = os.sched_getaffinity(self._process.pid)
        if affinity != {SHARED_CORE}:
            raise BenchError(f"the subscribers' process runs on cores {sorted(affinity)}, not {SHARED_CORE}")
        self.cpu = float(answer["cpu"])

    def receipts(self, post_id: str, deadline: float) -> list[float]:
        """The `time.monotonic()` times at which subscribers received `post_id`: every one, or those that had
        by `deadline` (same clock)."""
        self._send({"report": post_id, "deadline": deadline})
        answer = self._receive(max(0.0, deadline - time.monotonic()) + REPORT_MARGIN_SECONDS)
        if answer.get("post") != post_id:
            raise BenchError(f"the subscribers' process answered {json.dumps(answer)[:500]}")
        self.cpu = float(answer["cpu"])
        return [float(t) for t in answer["times"]]

    def _send(self, message: dict[str, Any]) -> None:
        try:
            self._stdin.write(json.dumps(message).encode() + b"\n")
            self._stdin.flush()
        except BrokenPipeError:
            raise BenchError(f"the subscribers' process ended.\n{log_tail(self._log)}") from None

    def _receive(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            if self._selector.select(timeout=min(left, 0.5)):
                line = self._stdout.readline()  # the child writes each answer as one line
                if line:
                    return dict(json.loads(line))
                break
            if self._process.poll() is not None:
                break
        if self._process.poll() is None:
            raise BenchError(f"the subscribers' process did not answer within {timeout:.0f} s")
        raise BenchError(f"the subscribers' process ended.\n{log_tail(self._log)}")

    def stop(self, *, graceful: bool = True) -> None:
        """End of input: it closes its connections and exits (stopped by SIGTERM if that takes too long, or at
        once when not `graceful`)."""
        with contextlib.suppress(OSError):
            self._stdin.close()
        try:
            self._process.wait(CLOSE_TIMEOUT_SECONDS if graceful else 0)
        except subprocess.TimeoutExpired:
            self._process.terminate()
            try:
                self._process.wait(5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._selector.close()
        self._stdout.close()
        self._log.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        self.stop(graceful=exc_type is None)


def request_bytes(port: int, headers: dict[str, str], body: bytes) -> bytes:
    lines = [
        "POST /graphql HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        "Connection: close",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def http_post(port: int, request: bytes) -> tuple[bytes, float]:
    """A bare HTTP/1.1 POST on a blocking socket: between sending it and the answer, this process does
    nothing else. Returns the response and the `time.monotonic()` at which its last byte (by Content-Length)
    was read; a server may close the connection later than that, which a client does not wait for."""
    deadline = time.monotonic() + DELIVERY_TIMEOUT_SECONDS
    response = b""
    body_at, length = -1, -1
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=DELIVERY_TIMEOUT_SECONDS) as sock:
            sock.sendall(request)
            while chunk := sock.recv(65536):
                now = time.monotonic()
                response += chunk
                if body_at < 0 and (end := response.find(b"\r\n\r\n")) >= 0:
                    body_at, length = end + 4, content_length(response[:end])
                if 0 <= length <= len(response) - body_at:
                    return response, now
                if now > deadline:
                    raise TimeoutError(f"no full response within {DELIVERY_TIMEOUT_SECONDS:g} s")
    except OSError as exc:  # TimeoutError is one
        raise BenchError(f"the publish failed: {exc!r}") from exc
    return response, time.monotonic()  # no Content-Length: the response ends with the connection


def content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return -1


def parse_response(response: bytes) -> dict[str, Any]:
    head, _, payload = response.partition(b"\r\n\r\n")
    if b" 200 " not in head.split(b"\r\n", 1)[0]:
        raise BenchError(f"the publish failed: {response[:1000]!r}")
    if b"transfer-encoding: chunked" in head.lower():
        raise BenchError("unexpected chunked response")
    return dict(json.loads(payload))


# -- fan-out ----------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


@dataclass
class FanOut:
    peer: str
    subscribers: int
    publishes: int
    delivered: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    mutation_ms: list[float] = field(default_factory=list)
    baseline_ms: list[float] = field(default_factory=list)  # the same publishes with no subscriber
    client_cpu_ms_per_publish: float = 0.0
    server_cpu_ms_per_publish: float = 0.0

    @property
    def delivered_pct(self) -> float:
        return 100 * self.delivered / max(1, self.subscribers * self.publishes)

    def percentile(self, q: float) -> float:
        return percentile(self.latencies_ms, q)


def fan_out(peer: Peer, subscribers: int, publishes: int) -> FanOut:
    """`subscribers` connections with one onCreatePost subscription each, held by the subscribers' process;
    `publishes` publishPost calls from this process, each timed to its response. With no subscribers, the
    same publishes alone: the baseline of the mutation's response."""
    result = FanOut(peer.name, subscribers, publishes)
    headers = {"Authorization": peer.token}
    with contextlib.ExitStack() as stack:
        listening = None
        if subscribers:
            listening = stack.enter_context(Subscribers(peer, subscribers))
            listening.subscribe()
        for n in range(WARMUP_PUBLISHES + publishes):
            post_id = peer.drafts.pop()
            request = request_bytes(
                peer.server.port,
                headers,
                json.dumps({"query": PUBLISH, "variables": {"id": post_id}}).encode(),
            )
            client_cpu, server_cpu = time.process_time(), cpu_seconds(peer.server.pid)
            subscribers_cpu = listening.cpu if listening else 0.0
            sent = time.monotonic()
            raw, answered = http_post(peer.server.port, request)
            response = parse_response(raw)
            if (
                response.get("errors")
                or (response.get("data") or {}).get("publishPost", {}).get("id") != post_id
            ):
                raise BenchError(f"{peer.name}: publishPost failed: {json.dumps(response)[:1000]}")
            arrived = listening.receipts(post_id, sent + DELIVERY_TIMEOUT_SECONDS) if listening else []
            client_cpu = (
                time.process_time() - client_cpu + (listening.cpu if listening else 0.0) - subscribers_cpu
            )
            server_cpu = cpu_seconds(peer.server.pid) - server_cpu
            if n >= WARMUP_PUBLISHES:
                result.delivered += len(arrived)
                result.latencies_ms += [1000 * (t - sent) for t in arrived]
                result.mutation_ms.append(1000 * (answered - sent))
                result.client_cpu_ms_per_publish += 1000 * client_cpu / publishes
                result.server_cpu_ms_per_publish += 1000 * server_cpu / publishes
            time.sleep(0.05)  # let stragglers and the peer's bookkeeping settle between publishes
    return result


# -- idle connections -------------------------------------------------------------------------------


@dataclass
class Idle:
    peer: str
    connections: int
    rss_before: int
    rss_after: int
    fds_after: int

    @property
    def kib_per_connection(self) -> float:
        return (self.rss_after - self.rss_before) / 1024 / max(1, self.connections)


async def settle() -> None:
    await asyncio.sleep(2)


async def idle_memory(peer: Peer, count: int) -> Idle:
    await settle()
    before = rss_bytes(peer.server.pid)
    connections, failure = await open_many(peer.connection_url(), count)
    try:
        if failure is not None:
            raise BenchError(
                f"{peer.name}: {len(connections)} of {count} idle connections opened: {failure!r}"
            )
        await settle()
        return Idle(
            peer.name, len(connections), before, rss_bytes(peer.server.pid), open_fds(peer.server.pid)
        )
    finally:
        await close_all(connections)


@dataclass
class Held:
    peer: str
    tried: int
    opened: int
    still_open: int
    seconds_to_open: float
    rss_before: int
    rss_after: int
    fds: int
    failure: str
    serves_after: bool


async def most_connections(peer: Peer, count: int, hold_seconds: float) -> Held:
    """Open up to `count` idle connections, hold them, check they stay open and the server still serves."""
    await settle()
    before = rss_bytes(peer.server.pid)
    started = time.monotonic()
    connections, failure = await open_many(peer.connection_url(), count)
    seconds = time.monotonic() - started
    try:
        await asyncio.sleep(hold_seconds)
        still_open = sum(1 for ws in connections if ws.close_code is None)
        rss_after, fds = rss_bytes(peer.server.pid), open_fds(peer.server.pid)
        serves = False
        with contextlib.suppress(Exception):
            # One more subscriber, and one publish that reaches it, while all the others are held (and
            # unread: this blocks the event loop that holds them for the few seconds it takes).
            probe = fan_out(peer, 1, 1)
            serves = probe.delivered == 1
        return Held(
            peer.name,
            count,
            len(connections),
            still_open,
            seconds,
            before,
            rss_after,
            fds,
            "" if failure is None else repr(failure),
            serves,
        )
    finally:
        await close_all(connections)


# -- profile --------------------------------------------------------------------------------------


def profile_fan_out(peer: Peer, subscribers: int, args: argparse.Namespace) -> str:
    """py-spy (every thread, 250 Hz) on `peer`'s server during one more fan-out; the top functions."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        raise BenchError("--profile needs py-spy: `.venv/bin/pip install py-spy`")
    args.profile.mkdir(parents=True, exist_ok=True)
    folded = args.profile / f"{peer.name}-realtime.folded"
    sampler = subprocess.Popen(
        [py_spy, "record", "--pid", str(peer.server.pid), "--rate", "250", "--format", "raw",
         "--output", str(folded), "--nonblocking", "--gil"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=die_with_parent, start_new_session=True,
    )  # fmt: skip
    try:
        time.sleep(1)
        result = fan_out(peer, subscribers, args.publishes)
    finally:
        if sampler.poll() is None:
            sampler.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
            try:
                sampler.wait(30)
            except subprocess.TimeoutExpired:
                sampler.kill()
                sampler.wait()
    if not folded.exists():
        raise BenchError("py-spy wrote no profile")
    header = (
        f"py-spy on the {peer.name} during {args.publishes} publishes to {subscribers:,} subscribers "
        f"(p50 {result.percentile(50):.1f} ms, p99 {result.percentile(99):.1f} ms while sampled), {folded}:"
    )
    return header + "\n" + summarise_folded(folded.read_text())


def summarise_folded(text: str, top: int = 25) -> str:
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in text.splitlines():
        stack, _, count_text = line.rpartition(" ")
        frames = [f for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        if not frames or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        self_time[frame_name(frames[-1])] += count
        for name in {frame_name(f) for f in frames}:
            inclusive[name] += count
    if total == 0:
        return "(no samples)"
    lines = [f"{total} samples of the thread holding the GIL", "", "top self time:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in self_time.most_common(top)]
    lines += ["", "top inclusive time:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top)]
    return "\n".join(lines)


# -- report -----------------------------------------------------------------------------------------


def _p50_p99(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{statistics.median(values):.1f} / {percentile(values, 99):.1f}"


def report(fan_outs: list[FanOut], idles: list[Idle], held: list[Held], args: argparse.Namespace) -> str:
    label = {"runtime": "local runtime", "simulator": f"amplify-appsync-simulator {SIMULATOR_VERSION}"}
    lines = [
        "",
        (
            f"fan-out: publishPost -> onCreatePost, {args.publishes} publishes per size (after "
            f"{WARMUP_PUBLISHES} unmeasured), latency = subscriber receipt - mutation sent; the mutation's "
            "response timed by a process that holds no subscriber, with the subscribers and with none (the "
            "same number of publishes to the same server, half just before the fan-out, half just after)"
        ),
        "",
        (
            "| peer | subscribers | delivered | p50 (ms) | p99 (ms) | max (ms) "
            "| mutation response p50 / p99 with the fan-out (ms) | without subscribers (ms) "
            "| server CPU ms / publish | load CPU ms / publish (both processes) |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for f in fan_outs:
        lines.append(
            f"| {label[f.peer]} | {f.subscribers:,} | {f.delivered_pct:.1f}% | {f.percentile(50):.1f} "
            f"| {f.percentile(99):.1f} | {max(f.latencies_ms, default=float('nan')):.1f} "
            f"| {_p50_p99(f.mutation_ms)} | {_p50_p99(f.baseline_ms)} "
            f"| {f.server_cpu_ms_per_publish:.1f} | {f.client_cpu_ms_per_publish:.1f} |"
        )
    lines += [
        "",
        "memory per idle connection (connection_ack, no subscription):",
        "",
        "| peer | connections | server RSS before (MiB) | after (MiB) | KiB / connection |",
        "|---|---:|---:|---:|---:|",
    ]
    for i in idles:
        lines.append(
            f"| {label[i.peer]} | {i.connections:,} | {i.rss_before / 2**20:.1f} | {i.rss_after / 2**20:.1f} "
            f"| {i.kib_per_connection:.1f} |"
        )
    lines += [
        "",
        f"most idle connections held (tried {args.max:,}, held {args.hold:g} s):",
        "",
        (
            "| peer | opened | still open after the hold | seconds to open | server RSS (MiB) "
            "| KiB / connection | server fds | serves a new subscriber meanwhile | stopped by |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for h in held:
        per = (h.rss_after - h.rss_before) / 1024 / max(1, h.opened)
        lines.append(
            f"| {label[h.peer]} | {h.opened:,} | {h.still_open:,} | {h.seconds_to_open:.1f} "
            f"| {h.rss_after / 2**20:.1f} | {per:.1f} | {h.fds:,} | {'yes' if h.serves_after else 'no'} "
            f"| {h.failure or '-'} |"
        )
    return "\n".join(lines)


# -- run --------------------------------------------------------------------------------------------


def measure_peer(peer: Peer, args: argparse.Namespace) -> tuple[list[FanOut], Idle | None, Held | None]:
    fan_outs = []
    for size in args.subscribers:
        # The baseline (the same number of publishes with no subscriber) is measured half before and half
        # after the fan-out, so that a drift (the server or DynamoDB Local warming up, other load) weighs on
        # both alike.
        baseline = fan_out(peer, 0, (args.publishes + 1) // 2).mutation_ms
        result = fan_out(peer, size, args.publishes)
        if args.publishes > 1:
            baseline += fan_out(peer, 0, args.publishes // 2).mutation_ms
        result.baseline_ms = baseline
        print(
            f"  {peer.name:<9} {size:>6,} subscribers: delivered {result.delivered_pct:5.1f}%  "
            f"p50 {result.percentile(50):7.1f} ms  p99 {result.percentile(99):7.1f} ms  "
            f"server CPU/publish {result.server_cpu_ms_per_publish:.1f} ms  "
            f"mutation response p50/p99 {_p50_p99(result.mutation_ms)} ms "
            f"(without subscribers {_p50_p99(result.baseline_ms)} ms)",
            flush=True,
        )
        fan_outs.append(result)
    idle = None
    if args.idle:
        idle = asyncio.run(idle_memory(peer, args.idle))
        print(
            f"  {peer.name:<9} idle: {idle.connections:,} connections, {idle.kib_per_connection:.1f} KiB each",
            flush=True,
        )
    held = None
    if args.max:
        held = asyncio.run(most_connections(peer, args.max, args.hold))
        print(
            f"  {peer.name:<9} held {held.opened:,} of {held.tried:,} ({held.still_open:,} still open after "
            f"{args.hold:g} s), RSS {held.rss_after / 2**20:.0f} MiB, serves meanwhile: {held.serves_after}"
            + (f", stopped by {held.failure}" if held.failure else ""),
            flush=True,
        )
    return fan_outs, idle, held


def measure_all(peers: list[Peer], args: argparse.Namespace) -> str:
    fan_outs: list[FanOut] = []
    idles: list[Idle] = []
    helds: list[Held] = []
    for peer in peers:
        f, i, h = measure_peer(peer, args)
        fan_outs += f
        idles += [i] if i else []
        helds += [h] if h else []
    return report(fan_outs, idles, helds, args)


def run(args: argparse.Namespace) -> int:
    limit = raise_fd_limit()
    needed = max(args.max, args.idle, max(args.subscribers)) + 256
    if limit < needed:
        raise BenchError(
            f"the open-file limit is {limit}; {needed} are needed: raise the hard limit (ulimit -Hn)"
        )
    with contextlib.ExitStack() as stack:
        stage = set_stage(stack, tools=("taskset", "node"))
        aws, dynamodb_pid, pool, data_dir = stage.aws, stage.dynamodb_pid, stage.pool, stage.data_dir
        author_sub = pool.sub_for(AUTHOR)
        token = pool.mint(AUTHOR, groups=["authors"], ttl_seconds=3 * 3600)
        # Per size a fan-out and a baseline in two halves (each with its warm-up), then the --profile
        # fan-out and the held connections' probe (one publish).
        per_size = 2 * args.publishes + 3 * WARMUP_PUBLISHES
        drafts_needed = len(args.subscribers) * per_size + (args.publishes + WARMUP_PUBLISHES) + 1 + 8
        drafts = seed(aws, author_sub, drafts_needed)
        api_key = api_key_store(stage.config, data_dir).current().id

        runtime, simulator = start_peers(
            stack,
            stage,
            runtime_server=args.runtime_server,
            simulator_app=SIMULATOR_APP,
            simulator_env={"REALTIME": "1"},
        )
        print(
            f"runtime pid {runtime.pid} and simulator pid {simulator.pid} on core {SERVER_CORE}; DynamoDB Local "
            f"pid {dynamodb_pid}, moto, this process (the publisher) and the subscribers' process on core "
            f"{SHARED_CORE}; open-file limit {limit}",
            flush=True,
        )
        peers = [
            Peer("runtime", runtime, api_key, token, drafts["runtime"]),
            Peer("simulator", simulator, SIMULATOR_API_KEY, token, drafts["simulator"]),
        ]
        peers = [p for p in peers if p.name in args.peers]
        print(f"load average before measuring: {load_average()}", flush=True)
        event_loop_policy()
        text = measure_all(peers, args)
        if args.profile:
            text += "\n\n" + profile_fan_out(peers[0], max(args.subscribers), args)
        print(f"load average after measuring: {load_average()}", flush=True)
        print(text, flush=True)
        for peer in peers:
            if not peer.server.alive():
                print(f"the {peer.name} server died: {peer.server.log_tail()}", flush=True)
    return 0


def _sizes(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--subscribers", type=_sizes, default=[100, 1000], help="fan-out sizes (default 100,1000)"
    )
    parser.add_argument("--publishes", type=int, default=20, help="measured publishes per size (default 20)")
    parser.add_argument(
        "--idle", type=int, default=1000, help="idle connections for the memory figure (0: skip)"
    )
    parser.add_argument("--max", type=int, default=10_000, help="idle connections to try holding (0: skip)")
    parser.add_argument("--hold", type=float, default=30, help="seconds to hold them (default 30)")
    parser.add_argument(
        "--profile",
        type=Path,
        help="then sample the runtime with py-spy during one more fan-out (largest size)",
    )
    parser.add_argument("--peers", default="runtime,simulator", help="which peers to measure (default both)")
    add_common_options(parser, load=False)
    args = parser.parse_args(argv)
    args.peers = [p.strip() for p in args.peers.split(",")]
    if args.publishes < 1 or not args.subscribers or min(args.subscribers) < 1 or args.hold < 0:
        parser.error("--publishes and every --subscribers size must be >= 1, --hold >= 0")
    return run_script(run, args)


if __name__ == "__main__":
    sys.exit(main())
