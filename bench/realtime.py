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

This script, on core 1, is the load: one raw `websockets` client connection per subscriber, authenticated
with the API key (``?header=<base64 JSON>&payload=e30=``, then ``connection_init``/``connection_ack``,
``start`` with ``extensions.authorization``/``start_ack``). It measures, for each peer:

1. fan-out to 100 and 1,000 subscribers: an author (Cognito JWT, group ``authors``) publishes a DRAFT
   created beforehand over HTTP; every subscriber's receipt time minus the time the mutation was sent is its
   delivery latency; delivered % counts the subscribers that got it within the timeout;
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
import base64
import contextlib
import json
import shutil
import signal
import statistics
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    open_fds,
    raise_fd_limit,
    rss_bytes,
    run_script,
    set_stage,
    start_peers,
)
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from appsync_local.local_aws import LocalAws, resource
from appsync_local.runtime import api_key_store

SIMULATOR_APP = SIMULATOR_DIR / "realtime.json"
SIMULATOR_API_KEY = "da2-bench"  # serve.js configures this key
AUTHOR = "bench-author"
SUBSCRIPTION = "subscription OnCreatePost { onCreatePost { id title status authorId createdAt } }"
PUBLISH = "mutation Publish($id: ID!) { publishPost(id: $id) { id title status authorId tags createdAt } }"
WARMUP_PUBLISHES = 3
DELIVERY_TIMEOUT_SECONDS = 10.0
HANDSHAKE_TIMEOUT_SECONDS = 30.0
OPEN_CONCURRENCY = 64
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

    def connection_url(self) -> str:
        header = {"host": f"127.0.0.1:{self.server.port}", "x-api-key": self.api_key}
        encoded = base64.b64encode(json.dumps(header).encode()).decode()
        return f"{self.server.ws_url}?header={encoded}&payload=e30="

    def start_message(self, subscription_id: str) -> str:
        return json.dumps(
            {
                "id": subscription_id,
                "type": "start",
                "payload": {
                    "data": json.dumps({"query": SUBSCRIPTION, "variables": {}}),
                    "extensions": {
                        "authorization": {"host": f"127.0.0.1:{self.server.port}", "x-api-key": self.api_key}
                    },
                },
            }
        )


async def _expect(ws: ClientConnection, kind: str) -> dict[str, Any]:
    """The next message that is not a keep-alive; it must be of type `kind`."""
    while True:
        message = json.loads(await ws.recv())
        if message.get("type") == "ka":
            continue
        if message.get("type") != kind:
            raise BenchError(f"expected {kind}, got {json.dumps(message)[:500]}")
        return dict(message)


async def open_connection(peer: Peer) -> ClientConnection:
    """One acknowledged AppSync connection (connection_init -> connection_ack), as a client would open it."""
    ws = await connect(
        peer.connection_url(),
        subprotocols=["graphql-ws"],  # type: ignore[list-item]
        open_timeout=HANDSHAKE_TIMEOUT_SECONDS,
        ping_interval=None,  # AppSync clients rely on the server's `ka`; the server's pings are still answered
        max_queue=None,
    )
    try:
        await ws.send(json.dumps({"type": "connection_init"}))
        await asyncio.wait_for(_expect(ws, "connection_ack"), HANDSHAKE_TIMEOUT_SECONDS)
    except BaseException:
        await ws.close()
        raise
    return ws


async def subscribe(peer: Peer, ws: ClientConnection) -> None:
    await ws.send(peer.start_message("1"))
    await asyncio.wait_for(_expect(ws, "start_ack"), HANDSHAKE_TIMEOUT_SECONDS)


async def open_many(
    peer: Peer, count: int, prepare: Callable[[ClientConnection], Awaitable[None]] | None = None
) -> tuple[list[ClientConnection], BaseException | None]:
    """Up to `count` connections, `OPEN_CONCURRENCY` handshakes at a time; stops at the first failure."""
    opened: list[ClientConnection] = []
    failure: BaseException | None = None
    semaphore = asyncio.Semaphore(OPEN_CONCURRENCY)
    stop = asyncio.Event()

    async def one() -> None:
        nonlocal failure
        async with semaphore:
            if stop.is_set():
                return
            try:
                ws = await open_connection(peer)
                if prepare is not None:
                    await prepare(ws)
                opened.append(ws)
            except (OSError, WebSocketException, TimeoutError, BenchError) as exc:
                failure = failure or exc
                stop.set()

    await asyncio.gather(*(one() for _ in range(count)))
    return opened, failure


async def close_all(connections: list[ClientConnection]) -> None:
    semaphore = asyncio.Semaphore(256)

    async def one(ws: ClientConnection) -> None:
        async with semaphore:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(), 5)

    await asyncio.gather(*(one(ws) for ws in connections))
    connections.clear()


async def http_post(port: int, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """A bare HTTP/1.1 POST on the event loop (the least client work between send and the fan-out)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [
        "POST /graphql HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        "Connection: close",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    await writer.drain()
    response = await asyncio.wait_for(reader.read(), DELIVERY_TIMEOUT_SECONDS)
    writer.close()
    head, _, payload = response.partition(b"\r\n\r\n")
    if b" 200 " not in head.split(b"\r\n", 1)[0]:
        raise BenchError(f"the publish failed: {response[:1000]!r}")
    if b"transfer-encoding: chunked" in head.lower():
        raise BenchError("unexpected chunked response")
    return dict(json.loads(payload))


# -- fan-out ----------------------------------------------------------------------------------------


@dataclass
class FanOut:
    peer: str
    subscribers: int
    publishes: int
    delivered: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    mutation_ms: list[float] = field(default_factory=list)
    client_cpu_ms_per_publish: float = 0.0
    server_cpu_ms_per_publish: float = 0.0

    @property
    def delivered_pct(self) -> float:
        return 100 * self.delivered / (self.subscribers * self.publishes)

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


async def fan_out(peer: Peer, subscribers: int, publishes: int) -> FanOut:
    """`subscribers` connections with one onCreatePost subscription each; `publishes` publishPost calls."""
    connections, failure = await open_many(peer, subscribers, lambda ws: subscribe(peer, ws))
    if failure is not None or len(connections) != subscribers:
        await close_all(connections)
        raise BenchError(
            f"{peer.name}: only {len(connections)} of {subscribers} subscribers connected: {failure!r}"
        )
    receipts: dict[str, list[float]] = {}
    done: dict[str, asyncio.Event] = {}

    async def reader(ws: ClientConnection) -> None:
        with contextlib.suppress(WebSocketException):
            async for raw in ws:
                now = time.perf_counter()
                message = json.loads(raw)
                if message.get("type") != "data":
                    continue
                post = message["payload"]["data"]["onCreatePost"]
                arrived = receipts.setdefault(post["id"], [])
                arrived.append(now)
                if len(arrived) == subscribers and post["id"] in done:
                    done[post["id"]].set()

    readers = [asyncio.create_task(reader(ws)) for ws in connections]
    result = FanOut(peer.name, subscribers, publishes)
    headers = {"Authorization": peer.token}
    try:
        for n in range(WARMUP_PUBLISHES + publishes):
            post_id = peer.drafts.pop()
            done[post_id] = asyncio.Event()
            body = json.dumps({"query": PUBLISH, "variables": {"id": post_id}}).encode()
            client_cpu, server_cpu = time.process_time(), cpu_seconds(peer.server.pid)
            sent = time.perf_counter()
            response = await http_post(peer.server.port, headers, body)
            answered = time.perf_counter()
            if (
                response.get("errors")
                or (response.get("data") or {}).get("publishPost", {}).get("id") != post_id
            ):
                raise BenchError(f"{peer.name}: publishPost failed: {json.dumps(response)[:1000]}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done[post_id].wait(), DELIVERY_TIMEOUT_SECONDS)
            client_cpu, server_cpu = (
                time.process_time() - client_cpu,
                cpu_seconds(peer.server.pid) - server_cpu,
            )
            arrived = receipts.get(post_id, [])
            if n < WARMUP_PUBLISHES:
                continue
            result.delivered += len(arrived)
            result.latencies_ms += [1000 * (t - sent) for t in arrived]
            result.mutation_ms.append(1000 * (answered - sent))
            result.client_cpu_ms_per_publish += 1000 * client_cpu / publishes
            result.server_cpu_ms_per_publish += 1000 * server_cpu / publishes
            await asyncio.sleep(0.05)  # let stragglers and the peer's bookkeeping settle between publishes
    finally:
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        await close_all(connections)
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
    connections, failure = await open_many(peer, count)
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
    connections, failure = await open_many(peer, count)
    seconds = time.monotonic() - started
    try:
        await asyncio.sleep(hold_seconds)
        still_open = sum(1 for ws in connections if ws.close_code is None)
        rss_after, fds = rss_bytes(peer.server.pid), open_fds(peer.server.pid)
        serves = False
        with contextlib.suppress(Exception):
            # One more subscriber, and one publish that reaches it, while all the others are held.
            probe = await fan_out(peer, 1, 1)
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


async def profile_fan_out(peer: Peer, subscribers: int, args: argparse.Namespace) -> str:
    """py-spy (every thread, 250 Hz) on `peer`'s server during one more fan-out; the top functions."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        raise BenchError("--profile needs py-spy: `.venv/bin/pip install py-spy`")
    args.profile.mkdir(parents=True, exist_ok=True)
    folded = args.profile / f"{peer.name}-realtime.folded"
    sampler = await asyncio.create_subprocess_exec(
        py_spy, "record", "--pid", str(peer.server.pid), "--rate", "250", "--format", "raw",
        "--output", str(folded), "--nonblocking", "--gil",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        preexec_fn=die_with_parent,
    )  # fmt: skip
    try:
        await asyncio.sleep(1)
        result = await fan_out(peer, subscribers, args.publishes)
    finally:
        if sampler.returncode is None:
            sampler.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(sampler.wait(), 30)
            if sampler.returncode is None:
                sampler.kill()
                await sampler.wait()
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


def report(fan_outs: list[FanOut], idles: list[Idle], held: list[Held], args: argparse.Namespace) -> str:
    label = {"runtime": "local runtime", "simulator": f"amplify-appsync-simulator {SIMULATOR_VERSION}"}
    lines = [
        "",
        (
            f"fan-out: publishPost -> onCreatePost, {args.publishes} publishes per size (after "
            f"{WARMUP_PUBLISHES} unmeasured), latency = subscriber receipt - mutation sent"
        ),
        "",
        (
            "| peer | subscribers | delivered | p50 (ms) | p99 (ms) | max (ms) | mutation response p50 (ms) "
            "| server CPU ms / publish | load-process CPU ms / publish |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for f in fan_outs:
        lines.append(
            f"| {label[f.peer]} | {f.subscribers:,} | {f.delivered_pct:.1f}% | {f.percentile(50):.1f} "
            f"| {f.percentile(99):.1f} | {max(f.latencies_ms, default=float('nan')):.1f} "
            f"| {statistics.median(f.mutation_ms):.1f} | {f.server_cpu_ms_per_publish:.1f} "
            f"| {f.client_cpu_ms_per_publish:.1f} |"
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


async def measure_peer(peer: Peer, args: argparse.Namespace) -> tuple[list[FanOut], Idle | None, Held | None]:
    fan_outs = []
    for size in args.subscribers:
        result = await fan_out(peer, size, args.publishes)
        print(
            f"  {peer.name:<9} {size:>6,} subscribers: delivered {result.delivered_pct:5.1f}%  "
            f"p50 {result.percentile(50):7.1f} ms  p99 {result.percentile(99):7.1f} ms  "
            f"server CPU/publish {result.server_cpu_ms_per_publish:.1f} ms",
            flush=True,
        )
        fan_outs.append(result)
    idle = None
    if args.idle:
        idle = await idle_memory(peer, args.idle)
        print(
            f"  {peer.name:<9} idle: {idle.connections:,} connections, {idle.kib_per_connection:.1f} KiB each",
            flush=True,
        )
    held = None
    if args.max:
        held = await most_connections(peer, args.max, args.hold)
        print(
            f"  {peer.name:<9} held {held.opened:,} of {held.tried:,} ({held.still_open:,} still open after "
            f"{args.hold:g} s), RSS {held.rss_after / 2**20:.0f} MiB, serves meanwhile: {held.serves_after}"
            + (f", stopped by {held.failure}" if held.failure else ""),
            flush=True,
        )
    return fan_outs, idle, held


async def measure_all(peers: list[Peer], args: argparse.Namespace) -> str:
    fan_outs: list[FanOut] = []
    idles: list[Idle] = []
    helds: list[Held] = []
    for peer in peers:
        f, i, h = await measure_peer(peer, args)
        fan_outs += f
        idles += [i] if i else []
        helds += [h] if h else []
    return report(fan_outs, idles, helds, args)


def _event_loop_policy() -> None:
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


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
        drafts_needed = (len(args.subscribers) + 1) * (args.publishes + WARMUP_PUBLISHES) + 8
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
            f"pid {dynamodb_pid}, moto and this load process on core {SHARED_CORE}; open-file limit {limit}",
            flush=True,
        )
        peers = [
            Peer("runtime", runtime, api_key, token, drafts["runtime"]),
            Peer("simulator", simulator, SIMULATOR_API_KEY, token, drafts["simulator"]),
        ]
        peers = [p for p in peers if p.name in args.peers]
        print(f"load average before measuring: {load_average()}", flush=True)
        _event_loop_policy()
        text = asyncio.run(measure_all(peers, args))
        if args.profile:
            text += "\n\n" + asyncio.run(profile_fan_out(peers[0], max(args.subscribers), args))
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
