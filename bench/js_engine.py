"""Benchmark: the APPSYNC_JS engine (quickjs-ng) — bundling, engine start-up, one handler call, one resolution.

Also the app's own `listPosts` pipeline (`appsync.toml`: five `queryPosts` rounds and `attachAuthors`, ten
handlers) over one page of 100 posts by 12 authors, its data sources answering from memory with what the
DynamoDB data source would hand it: the engine's and its glue's share of an uncached `listPosts(limit: 100)`.

Beside it, QuickJS reading that page once and writing it once (`JSON.parse` and `JSON.stringify`): the least
JSON work of any pipeline that changes the page, since a data source's result is read when it arrives and a
changed value is written when a handler returns it.

Runs in this process, no servers: `.venv/bin/python bench/js_engine.py [--calls 2000] [--runs 7]`.
Prints the median of several runs of each figure.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import orjson
import quickjs

from appdef import load_config
from appdef.bindings import Binding, js_bindings
from appsync_local.js import JsResolverRunner
from appsync_local.js.engine import JsEngine
from appsync_local.resolver_context import ResolverInvocation
from jsbundles.bundler import Bundler

GET_ITEM = """import { util } from '@aws-appsync/utils';
export function request(ctx) {
  return { operation: 'GetItem', key: util.dynamodb.toMapValues({ id: ctx.args.id }) };
}
export function response(ctx) { return ctx.result; }
"""


class EchoItem:
    """A data source answering GetItem with a fixed item, so only the engine and its glue are timed."""

    name = "posts"

    async def invoke(self, request: dict[str, Any], invocation: ResolverInvocation) -> Any:
        return {"id": request["key"]["id"]["S"], "title": "Hello"}


class PostsPage:
    """The Posts and Users data sources for `listPosts`: a Query answers a page of posts, a BatchGetItem their
    authors, each as the DynamoDB data source hands them on (plain JSON)."""

    def __init__(self, posts: int, authors: int) -> None:
        self.items = [
            {
                "id": f"10000000-0000-4000-8000-{n:012d}",
                "authorId": f"a1b2c3d4-0000-4000-8000-{n % authors:012d}",
                "title": f"Benchmark post {n}",
                "body": f"The body of post {n}. " * 20,
                "tags": ["bench", f"topic{n % 7}"],
                "status": "PUBLISHED",
                "createdAt": f"2025-03-{1 + n // 24:02d}T{n % 24:02d}:00:00.{n:03d}Z",
                "updatedAt": f"2025-03-{1 + n // 24:02d}T{n % 24:02d}:00:00.{n:03d}Z",
                "publishedAt": f"2025-03-{1 + n // 24:02d}T{n % 24:02d}:00:00.{n:03d}Z",
            }
            for n in range(posts)
        ]

    async def invoke(self, request: dict[str, Any], invocation: ResolverInvocation) -> Any:
        if request["operation"] == "Query":
            page = self.items[: request["limit"]]
            return {"items": page, "nextToken": "opaque", "scannedCount": len(page)}
        tables = {
            table: [
                {"id": key["id"]["S"], "name": f"Author {key['id']['S'][-2:]}", "bio": "Writes."}
                for key in entry["keys"]
            ]
            for table, entry in request["tables"].items()
        }
        return {"data": tables, "unprocessedKeys": {table: [] for table in tables}}


def list_posts_ms(runner: JsResolverRunner, binding: Binding, calls: int) -> float:
    async def resolve_all() -> float:
        started = time.perf_counter()
        for _ in range(calls):
            page = await runner.run(binding, invocation("listPosts", limit=100))
            assert len(page["items"]) == 100 and page["items"][0]["author"] is not None
        return (time.perf_counter() - started) / calls * 1000

    return asyncio.run(resolve_all())


def page_json_ms(page: PostsPage, calls: int) -> float:
    """QuickJS's JSON.parse and then JSON.stringify of the page the Query hands on (CPU ms per page)."""
    text = orjson.dumps(
        {"items": page.items, "nextToken": "opaque", "scannedCount": len(page.items)}
    ).decode()
    return json_round_trip_ms(text, calls)


def json_round_trip_ms(text: str, calls: int) -> float:
    """CPU ms of one JSON.parse and then JSON.stringify of `text` in a bare QuickJS context (this thread)."""
    context = quickjs.Context()
    read_and_write = context.eval("(function (text) { return JSON.stringify(JSON.parse(text)).length; })")
    if read_and_write(text) != len(text):
        raise ValueError("the text does not come back from JSON.parse + JSON.stringify as it was")
    started = time.thread_time()
    for _ in range(calls):
        read_and_write(text)
    return (time.thread_time() - started) / calls * 1000


def invocation(field: str = "getPost", **arguments: Any) -> ResolverInvocation:
    return ResolverInvocation(
        arguments=arguments or {"id": "p1"},
        source=None,
        identity=None,
        auth_type="API_KEY",
        request_headers={},
        info={
            "fieldName": field,
            "parentTypeName": "Query",
            "variables": {},
            "selectionSetList": ["id"],
            "selectionSetGraphQL": "{\n  id\n}",
        },
        request_id="bench",
    )


def bundle_ms(files: list[Path]) -> float:
    """One esbuild run for `files`, with an empty cache (what the runtime does once at start-up)."""
    started = time.perf_counter()
    Bundler().bundle_all(files)
    return (time.perf_counter() - started) * 1000


def engine_start_ms(path: Path) -> float:
    started = time.perf_counter()
    JsEngine().load(path)
    return (time.perf_counter() - started) * 1000


def handler_call_us(engine: JsEngine, path: Path, calls: int) -> float:
    ctx = {
        "arguments": {"id": "p1"},
        "args": {"id": "p1"},
        "stash": {},
        "identity": None,
        "source": None,
        "prev": {"result": None},
        "result": None,
        "error": None,
        "request": {"headers": {}},
        "info": {},
        "env": {},
    }
    env = {"authType": "API_KEY", "typeName": "Query", "fieldName": "getPost"}
    started = time.perf_counter()
    for _ in range(calls):
        engine.call(path, "request", ctx, env)
    return (time.perf_counter() - started) / calls * 1e6


async def unit_resolution_us(runner: JsResolverRunner, binding: Binding, calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        await runner.run(binding, invocation())
    return (time.perf_counter() - started) / calls * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls per timed run")
    parser.add_argument("--runs", type=int, default=7, help="timed runs; the median is reported")
    args = parser.parse_args(argv)
    app_files = [p for p in sorted((ROOT / "resolvers" / "js").rglob("*.js")) if "lib" not in p.parts]
    bundle_app = statistics.median(bundle_ms(app_files) for _ in range(args.runs))
    bundle_one = statistics.median(bundle_ms(app_files[:1]) for _ in range(args.runs))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "Query.getPost.js"
        path.write_text(GET_ITEM)
        runner = JsResolverRunner({"posts": EchoItem()})
        binding = Binding("Query", "getPost", "JS", data_source="posts", code=path)
        asyncio.run(runner.run(binding, invocation()))  # warm: engine made, file compiled
        start = statistics.median(engine_start_ms(path) for _ in range(args.runs))
        call = statistics.median(handler_call_us(runner.engine, path, args.calls) for _ in range(args.runs))
        unit = statistics.median(
            asyncio.run(unit_resolution_us(runner, binding, args.calls)) for _ in range(args.runs)
        )
        config = load_config(ROOT / "appsync.toml")
        (list_posts,) = (b for b in js_bindings(config) if b.key == "Query.listPosts")
        page = PostsPage(posts=100, authors=12)
        sources = {function.data_source: page for function in list_posts.functions if function.data_source}
        posts_runner = JsResolverRunner(sources, config.api.environment)
        list_posts_ms(posts_runner, list_posts, 1)  # warm: every file compiled
        pipeline = statistics.median(
            list_posts_ms(posts_runner, list_posts, max(1, args.calls // 20)) for _ in range(args.runs)
        )
        page_json = statistics.median(page_json_ms(page, max(1, args.calls // 20)) for _ in range(args.runs))
    print(
        f"median of {args.runs} runs, {args.calls} calls each ({max(1, args.calls // 20)} for listPosts and its page)\n"
    )
    print("| figure | median |\n|---|---:|")
    print(f"| bundling the app's {len(app_files)} APPSYNC_JS files (one esbuild run) | {bundle_app:.1f} ms |")
    print(f"| bundling one file (one esbuild run) | {bundle_one:.1f} ms |")
    print(f"| engine start-up (acorn + AppSync's library loaded, one file compiled) | {start:.1f} ms |")
    print(f"| one handler call (GetItem `request`, JSON in and out) | {call:.1f} µs |")
    print(f"| one unit resolution (request + data source + response, Python glue, asyncio) | {unit:.1f} µs |")
    print(
        f"| the app's listPosts pipeline over 100 posts (ten handlers, data sources in memory) | {pipeline:.2f} ms |"
    )
    print(
        "| QuickJS reading and writing that page once each (JSON.parse + JSON.stringify, the least any pipeline"
        f" that changes it does; CPU time) | {page_json:.2f} ms |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
