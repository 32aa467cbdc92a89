"""Benchmark: how long `{__typename}` waits while hostile queries run, the local runtime vs the simulator.

Issue 12's goal: while a hostile query runs, a concurrent `{__typename}` is answered with p99 <= 50 ms. One
run starts DynamoDB Local and moto, seeds 150 published posts with authors (as `listposts.py` does), and
serves the same data with both peers, each in its own process pinned to core 0. For each peer and each
kind of hostile load, a few attacker clients send hostile queries back to back while one client sends
`{__typename}` one request after another; the script reports that client's p50/p99/max and what the
attackers got back.

Hostile loads:

* ``aliases-10k``: 10,000 aliased `listPosts(limit: 1)` fields in one 0.4 MB query (the runtime refuses it
  at parse time: AppSync's resolver count limit, and the alias limit);
* ``heaviest-accepted``: the heaviest query the runtime accepts: 100 aliases of `listPosts(limit: 100)`
  with authors (about 200 data-source calls and 10,000 posts to complete).

DynamoDB Local, moto, the clients and this script share core 1.

Usage::

    .venv/bin/python bench/hostile.py [--rounds 3] [--duration 10] [--attackers 4]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx
from _common import (
    SERVER_CORE,
    SHARED_CORE,
    SIMULATOR_DIR,
    SIMULATOR_VERSION,
    Server,
    add_common_options,
    load_average,
    run_script,
    set_stage,
    start_peers,
)
from listposts import SIMULATOR_API_KEY, seed_posts

from appsync_local.runtime import api_key_store

# What ordinary clients send meanwhile: a document with no resolver, and a small read through a resolver.
PROBES = {
    "{__typename}": (json.dumps({"query": "{ __typename }"}).encode(), {"__typename": "Query"}),
    "listPosts(limit: 1)": (json.dumps({"query": "{ listPosts(limit: 1) { items { id } } }"}).encode(), None),
}
SIMULATOR_APP = SIMULATOR_DIR / "listPosts.json"
GOAL_P99_MS = 50.0
# A request unanswered this long after the round ends counts as failed: the peer froze.
FROZEN_AFTER_SECONDS = 15


def aliased(count: int, field_text: str) -> bytes:
    return json.dumps({"query": "{ " + " ".join(f"a{i}: {field_text}" for i in range(count)) + " }"}).encode()


HOSTILE = {
    "aliases-10k": aliased(10_000, "listPosts(limit: 1) { items { id } }"),
    "heaviest-accepted": aliased(100, "listPosts(limit: 100) { items { id title author { name } } }"),
}


@dataclass
class Result:
    peer: str
    load: str
    probe: str
    round: int
    latencies_ms: list[float] = field(default_factory=list)
    probe_failures: int = 0
    attacks: Counter[str] = field(default_factory=Counter)

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def outcome(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}, not JSON"
    errors = body.get("errors") or []
    if not errors:
        return "answered"
    first = errors[0]
    return f"HTTP {response.status_code} {first.get('errorType') or first.get('message', '')[:60]}"


async def attack(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], body: bytes, until: float, result: Result
) -> None:
    while time.monotonic() < until:
        try:
            response = await client.post(url, content=body, headers=headers)
            result.attacks[outcome(response)] += 1
        except httpx.HTTPError as exc:
            result.attacks[type(exc).__name__] += 1


async def probe(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], until: float, result: Result
) -> None:
    body, expected = PROBES[result.probe]
    await asyncio.sleep(0.5)  # let the attackers' first queries arrive
    while time.monotonic() < until:
        started = time.perf_counter()
        try:
            response = await client.post(url, content=body, headers=headers)
            answer = response.json()
            ok = response.status_code == 200 and not answer.get("errors")
            ok = ok and (expected is None or answer.get("data") == expected)
        except (httpx.HTTPError, ValueError):
            ok = False
        if ok:
            result.latencies_ms.append(1000 * (time.perf_counter() - started))
        else:
            result.probe_failures += 1


async def measure(
    server: Server, api_key: str, load: str, attackers: int, seconds: float, results: list[Result]
) -> None:
    """Attack `server` for `seconds` while each of `results` (one per probe) measures its probe."""
    url = server.url
    headers = {"content-type": "application/json", "x-api-key": api_key}
    until = time.monotonic() + seconds
    timeout = httpx.Timeout(seconds + FROZEN_AFTER_SECONDS)
    async with contextlib.AsyncExitStack() as clients:
        hostile = await clients.enter_async_context(httpx.AsyncClient(timeout=timeout))
        probers = [await clients.enter_async_context(httpx.AsyncClient(timeout=timeout)) for _ in results]
        await asyncio.gather(
            *(
                probe(prober, url, headers, until, result)
                for prober, result in zip(probers, results, strict=True)
            ),
            *(attack(hostile, url, headers, HOSTILE[load], until, results[0]) for _ in range(attackers)),
        )


def report(results: list[Result]) -> str:
    lines = [
        "",
        (
            f"Ordinary requests while hostile queries run (median of {max(r.round for r in results)} rounds; "
            f"goal: p99 <= {GOAL_P99_MS:g} ms)"
        ),
        "",
        "| hostile load | peer | probe | answered | failed | p50 ms | p99 ms | max ms | what the attackers got |",
        "|---|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for load in HOSTILE:
        for peer, probe_name in itertools.product(("runtime", "simulator"), PROBES):
            rounds = [r for r in results if r.load == load and r.peer == peer and r.probe == probe_name]
            if not rounds:
                continue
            answered = statistics.median(len(r.latencies_ms) for r in rounds)
            failed = statistics.median(r.probe_failures for r in rounds)
            p50 = statistics.median(r.percentile(0.5) for r in rounds)
            p99 = statistics.median(r.percentile(0.99) for r in rounds)
            worst = max((max(r.latencies_ms, default=float("nan")) for r in rounds), default=float("nan"))
            attacks: Counter[str] = Counter()
            for r in rounds:
                attacks.update(r.attacks)
            got = ", ".join(f"{n} x {what}" for what, n in attacks.most_common(3))
            lines.append(
                f"| {load} | {peer} | `{probe_name}` | {answered:.0f} | {failed:.0f} | {p50:.1f} | {p99:.1f} | "
                f"{worst:.0f} | {got} |"
            )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    with contextlib.ExitStack() as stack:
        stage = set_stage(stack, tools=("taskset", "node"))
        authors = [stage.pool.sub_for(f"bench-author-{n}") for n in range(12)]
        seed_posts(stage.aws, authors, published=150, drafts=15)
        api_key = api_key_store(stage.config, stage.data_dir).current().id
        runtime, simulator = start_peers(
            stack, stage, runtime_server=args.runtime_server, simulator_app=SIMULATOR_APP
        )
        peers = {"runtime": (runtime, api_key), "simulator": (simulator, SIMULATOR_API_KEY)}
        print(
            f"runtime pid {runtime.pid} and simulator {SIMULATOR_VERSION} pid {simulator.pid} on core "
            f"{SERVER_CORE}; DynamoDB Local, moto and the clients on core {SHARED_CORE}",
            flush=True,
        )
        print(f"load average before measuring: {load_average()}", flush=True)
        results: list[Result] = []
        for round_ in range(1, args.rounds + 1):
            order = ["runtime", "simulator"] if round_ % 2 else ["simulator", "runtime"]
            for load in HOSTILE:
                for name in order:
                    server, key = peers[name]
                    if not server.alive():
                        print(f"  {name} is no longer running; skipped", flush=True)
                        continue
                    measured = [Result(name, load, probe_name, round_) for probe_name in PROBES]
                    asyncio.run(measure(server, key, load, args.attackers, args.duration, measured))
                    for result in measured:
                        print(
                            f"  round {round_} {load:<17} {name:<9} {result.probe:<20} answered "
                            f"{len(result.latencies_ms):5d}  p50 {result.percentile(0.5):8.1f} ms  p99 "
                            f"{result.percentile(0.99):8.1f} ms  failed {result.probe_failures}",
                            flush=True,
                        )
                    print(f"    attackers got: {dict(measured[0].attacks)}", flush=True)
                    results.extend(measured)
        print(f"load average after measuring: {load_average()}", flush=True)
        print(report(results), flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_options(parser, load=False)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10, help="seconds per peer, load and round")
    parser.add_argument("--attackers", type=int, default=4, help="clients sending hostile queries")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.duration <= 0 or args.attackers < 1:
        parser.error("--rounds and --attackers must be >= 1, --duration > 0")
    return run_script(run, args)


if __name__ == "__main__":
    sys.exit(main())
