"""Benchmark: where an uncached `listPosts(limit: 100)` spends the runtime's CPU, part by part.

`listposts.py` gives the server's CPU per request under load, and py-spy's shares of it; this gives each part's
own CPU time per request, in milliseconds. It starts DynamoDB Local and moto, seeds the same posts and authors
as `listposts.py`, builds the runtime from `appsync.toml` without `[api.cache]` (as
`serve_runtime_nocache.py`), and sends the same query straight to its ASGI app, one request after another,
in this process (no HTTP server, no wrk). Each part is timed with the CPU clock of the thread it runs on:

- the APPSYNC_JS handler calls (`JsEngine.call`: QuickJS and its JSON boundary),
- botocore's DynamoDB calls (`DynamoDBDataSource._call`, on their worker thread),
- the DynamoDB items made plain JSON (`to_json_item`),
- the data sources' results written as JSON for the engine (`to_json` in the runner),
- result completion (`PlainCompletion.complete_object_value`, outermost calls only);

the rest of the process's CPU is GraphQL, the ASGI app and asyncio.

Each round then times, in the same process, the floor's work (`serve_floor_posts.py`: the same two DynamoDB
calls through the same client, its body picked out of DynamoDB's JSON) and QuickJS reading and writing the
Query's page once (`js_engine.py`), and prints the least a runtime of this design does per request: the two
calls, that one read and write, the items made plain JSON, the result's completion, and the pipeline's ten
handler calls at the cost of the cheapest one. Nothing of HTTP, GraphQL or the rest is in that sum.

Usage: `.venv/bin/python bench/listposts_parts.py [--requests 300] [--rounds 5]`
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import statistics
import sys
import threading
import time
import tomllib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _common import SERVER_CORE, set_stage
from js_engine import json_round_trip_ms
from listposts import PAGE, QUERY, seed_posts
from serve_floor_posts import fetch_page, page_body

import appsync_local.js.runner as js_runner
from appdef.loading import parse_config
from appsync_local.datasources import dynamodb
from appsync_local.http_app import create_app
from appsync_local.js.engine import JsEngine
from appsync_local.plain_completion import PlainCompletion
from appsync_local.runtime import api_key_store, build_runtime

JS_CALLS = "APPSYNC_JS handler calls (QuickJS and its JSON boundary)"
TO_JSON_ITEM = "DynamoDB items made plain JSON (to_json_item)"
COMPLETION = "result completion (plain completion)"
PARTS = (
    (JsEngine, "call", JS_CALLS, False),
    (dynamodb.DynamoDBDataSource, "_call", "botocore's DynamoDB calls (worker thread)", False),
    (dynamodb, "to_json_item", TO_JSON_ITEM, False),
    (js_runner, "to_json", "data-source results written as JSON for the engine", False),
    (PlainCompletion, "complete_object_value", COMPLETION, True),
)


class PartClock:
    """CPU seconds spent inside each timed part, on whichever thread it ran, in all and call by call."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        self.seconds.clear()
        self.calls.clear()

    def time(self, owner: Any, name: str, label: str, *, outermost: bool) -> None:
        original: Callable[..., Any] = getattr(owner, name)
        depth = threading.local()

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            level = getattr(depth, "level", 0)
            if outermost and level:
                return original(*args, **kwargs)
            depth.level = level + 1
            started = time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                spent = time.thread_time() - started
                depth.level = level
                with self._lock:
                    self.seconds[label] = self.seconds.get(label, 0.0) + spent
                    self.calls.setdefault(label, []).append(spent)

        setattr(owner, name, timed)


async def send_requests(app: Any, api_key: str, body: bytes, count: int) -> bytes:
    """`count` POST /graphql requests straight to the ASGI app; returns the last response's body."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/graphql", "raw_path": b"/graphql", "query_string": b"", "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"x-api-key", api_key.encode()), (b"host", b"local")],
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
    }  # fmt: skip
    answer = b""
    for _ in range(count):
        answer = await one_request(app, scope, body)
    return answer


async def one_request(app: Any, scope: dict[str, Any], body: bytes) -> bytes:
    received = False
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal received
        if received:  # the app asks again only to watch for a disconnect: there is none
            await asyncio.Event().wait()
        received = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(dict(scope), receive, send)
    return b"".join(chunks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; the median is reported")
    parser.add_argument("--authors", type=int, default=12)
    parser.add_argument("--posts", type=int, default=200, help="published posts seeded")
    args = parser.parse_args(argv)
    body = json.dumps({"query": QUERY}).encode()
    with contextlib.ExitStack() as stack:
        stage = set_stage(stack, tools=())  # DynamoDB Local and moto on the shared core
        os.sched_setaffinity(0, {SERVER_CORE})  # the runtime (this process) on the server core
        authors = [stage.pool.sub_for(f"bench-author-{n}") for n in range(args.authors)]
        seed_posts(stage.aws, authors, published=args.posts, drafts=args.posts // 10)
        os.environ.update(stage.aws.endpoints.environment())
        api_key = api_key_store(stage.config, stage.data_dir).current().id
        path = ROOT / "appsync.toml"
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        raw.get("api", {}).pop("cache", None)
        app = create_app(build_runtime(parse_config(raw, path.parent, source=path.name), stage.data_dir))
        # The floor's client, and the Query's page as the data source hands it on (text QuickJS reads), made
        # before the parts are timed
        floor_client = dynamodb.default_client_factory()
        floor_page, _ = fetch_page(floor_client, Counter())
        page_text = orjson.dumps(
            {
                "items": [dynamodb.to_json_item(item) for item in floor_page["Items"]],
                "nextToken": "t" * 200,  # about as long as the data source's encrypted token
                "scannedCount": len(floor_page["Items"]),
            }
        ).decode()
        clock = PartClock()
        for owner, name, label, outermost in PARTS:
            clock.time(owner, name, label, outermost=outermost)

        async def measure() -> list[Round]:
            async with app.router.lifespan_context(app):
                page = json.loads(await send_requests(app, api_key, body, 1))
                items = ((page.get("data") or {}).get("listPosts") or {}).get("items") or []
                if page.get("errors") or len(items) != PAGE:
                    raise SystemExit(f"the runtime did not list {PAGE} posts: {json.dumps(page)[:2000]}")
                await send_requests(app, api_key, body, 50)  # warm-up
                floor_round(floor_client, 50)
                rounds = []
                for _ in range(args.rounds):
                    clock.clear()
                    started = time.process_time()
                    await send_requests(app, api_key, body, args.requests)
                    total = time.process_time() - started
                    fetch, build = floor_round(floor_client, args.requests)
                    rounds.append(
                        Round(
                            total / args.requests,
                            {label: spent / args.requests for label, spent in clock.seconds.items()},
                            cheapest_calls(clock.calls.get(JS_CALLS, []), args.requests),
                            fetch,
                            build,
                            json_round_trip_ms(page_text, 100) / 1000,
                        )
                    )
                return rounds

        rounds = asyncio.run(measure())
    print(report(rounds, args))
    return 0


@dataclass(frozen=True)
class Round:
    """One round's CPU seconds per request: the runtime's process and its parts, and beside them the floor's
    two calls and its body, and QuickJS reading and writing the page once (per page)."""

    total: float
    parts: dict[str, float]
    handler_calls: tuple[int, float]  # the handler calls per request, and the cheapest one's cost
    floor_calls: float
    floor_body: float
    page_json: float


def floor_round(client: Any, count: int) -> tuple[float, float]:
    """The floor's work, `count` times on this thread: CPU seconds per request of its two DynamoDB calls, and
    of picking and writing its body."""
    calls: Counter[str] = Counter()
    fetching = building = 0.0
    for _ in range(count):
        started = time.thread_time()
        page, users = fetch_page(client, calls)
        fetched = time.thread_time()
        page_body(page, users)
        fetching += fetched - started
        building += time.thread_time() - fetched
    return fetching / count, building / count


def cheapest_calls(durations: list[float], requests: int) -> tuple[int, float]:
    """The handler calls each request made, and the median over requests of its cheapest call's CPU seconds."""
    if not durations or len(durations) % requests:
        raise SystemExit(f"{len(durations)} handler calls for {requests} requests: not the same number each")
    per_request = len(durations) // requests
    chunks = [durations[i : i + per_request] for i in range(0, len(durations), per_request)]
    return per_request, statistics.median(min(chunk) for chunk in chunks)


def report(rounds: list[Round], args: argparse.Namespace) -> str:
    def median_ms(values: Any) -> float:
        return float(statistics.median(values)) * 1000

    totals = [r.total * 1000 for r in rounds]
    lines = [f"median of {args.rounds} rounds, {args.requests} requests each, CPU ms per request", ""]
    lines += [
        "| part | CPU ms / request |",
        "|---|---:|",
        f"| the whole process | {statistics.median(totals):.2f} |",
    ]
    for _, _, label, _ in PARTS:
        lines.append(f"| {label} | {median_ms(r.parts.get(label, 0.0) for r in rounds):.2f} |")
    rest = median_ms(r.total - sum(r.parts.values()) for r in rounds)
    lines += [f"| the rest: GraphQL, the ASGI app, asyncio | {rest:.2f} |", ""]
    lines.append("the whole process per round: " + ", ".join(f"{t:.2f}" for t in totals))

    calls = rounds[0].handler_calls[0]
    least = [
        (
            "the same two DynamoDB calls, made as the floor makes them",
            median_ms(r.floor_calls for r in rounds),
        ),
        (
            "QuickJS reading the Query's page and writing it, once each",
            median_ms(r.page_json for r in rounds),
        ),
        (
            "the items made plain JSON (to_json_item, above)",
            median_ms(r.parts.get(TO_JSON_ITEM, 0.0) for r in rounds),
        ),
        ("result completion (above)", median_ms(r.parts.get(COMPLETION, 0.0) for r in rounds)),
        (
            f"the pipeline's {calls} handler calls, each at the cheapest one's cost",
            median_ms(r.handler_calls[1] * r.handler_calls[0] for r in rounds),
        ),
    ]
    lines += [
        "",
        "the least a runtime of this design does per request (each part the median of the rounds):",
        "",
    ]
    lines += ["| part | CPU ms / request |", "|---|---:|"]
    lines += [f"| {label} | {value:.2f} |" for label, value in least]
    lines.append(
        f"| **sum** (no HTTP, GraphQL, asyncio or response writing in it) | **{sum(v for _, v in least):.2f}** |"
    )
    floor = median_ms(r.floor_calls + r.floor_body for r in rounds)
    lines.append(f"\nfor comparison, the floor's whole answer in this process (calls and body): {floor:.2f}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
