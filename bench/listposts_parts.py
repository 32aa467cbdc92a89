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
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _common import SERVER_CORE, set_stage
from listposts import PAGE, QUERY, seed_posts

import appsync_local.js.runner as js_runner
from appdef.loading import parse_config
from appsync_local.datasources import dynamodb
from appsync_local.http_app import create_app
from appsync_local.js.engine import JsEngine
from appsync_local.plain_completion import PlainCompletion
from appsync_local.runtime import api_key_store, build_runtime

PARTS = (
    (JsEngine, "call", "APPSYNC_JS handler calls (QuickJS and its JSON boundary)", False),
    (dynamodb.DynamoDBDataSource, "_call", "botocore's DynamoDB calls (worker thread)", False),
    (dynamodb, "to_json_item", "DynamoDB items made plain JSON (to_json_item)", False),
    (js_runner, "to_json", "data-source results written as JSON for the engine", False),
    (PlainCompletion, "complete_object_value", "result completion (plain completion)", True),
)


class PartClock:
    """CPU seconds spent inside each timed part, on whichever thread it ran."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._lock = threading.Lock()

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
        clock = PartClock()
        for owner, name, label, outermost in PARTS:
            clock.time(owner, name, label, outermost=outermost)

        async def measure() -> list[tuple[float, dict[str, float]]]:
            async with app.router.lifespan_context(app):
                page = json.loads(await send_requests(app, api_key, body, 1))
                items = ((page.get("data") or {}).get("listPosts") or {}).get("items") or []
                if page.get("errors") or len(items) != PAGE:
                    raise SystemExit(f"the runtime did not list {PAGE} posts: {json.dumps(page)[:2000]}")
                await send_requests(app, api_key, body, 50)  # warm-up
                rounds = []
                for _ in range(args.rounds):
                    clock.seconds.clear()
                    started = time.process_time()
                    await send_requests(app, api_key, body, args.requests)
                    total = time.process_time() - started
                    rounds.append((total, dict(clock.seconds)))
                return rounds

        rounds = asyncio.run(measure())
    per_request = 1000 / args.requests
    totals = [total * per_request for total, _ in rounds]
    print(f"median of {args.rounds} rounds, {args.requests} requests each, CPU ms per request\n")
    print("| part | CPU ms / request |\n|---|---:|")
    print(f"| the whole process | {statistics.median(totals):.2f} |")
    for _, _, label, _ in PARTS:
        print(
            f"| {label} | {statistics.median(parts.get(label, 0.0) * per_request for _, parts in rounds):.2f} |"
        )
    rest = [total * per_request - sum(parts.values()) * per_request for total, parts in rounds]
    print(f"| the rest: GraphQL, the ASGI app, asyncio | {statistics.median(rest):.2f} |")
    print("\nthe whole process per round: " + ", ".join(f"{t:.2f}" for t in totals))
    return 0


if __name__ == "__main__":
    sys.exit(main())
