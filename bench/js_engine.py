"""Benchmark: the APPSYNC_JS engine (quickjs-ng) — bundling, engine start-up, one handler call, one resolution.

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

from appdef.bindings import Binding
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


def invocation() -> ResolverInvocation:
    return ResolverInvocation(
        arguments={"id": "p1"},
        source=None,
        identity=None,
        auth_type="API_KEY",
        request_headers={},
        info={
            "fieldName": "getPost",
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
    print(f"median of {args.runs} runs, {args.calls} calls each\n")
    print("| figure | median |\n|---|---:|")
    print(f"| bundling the app's {len(app_files)} APPSYNC_JS files (one esbuild run) | {bundle_app:.1f} ms |")
    print(f"| bundling one file (one esbuild run) | {bundle_one:.1f} ms |")
    print(f"| engine start-up (acorn + AppSync's library loaded, one file compiled) | {start:.1f} ms |")
    print(f"| one handler call (GetItem `request`, JSON in and out) | {call:.1f} µs |")
    print(f"| one unit resolution (request + data source + response, Python glue, asyncio) | {unit:.1f} µs |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
