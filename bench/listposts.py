"""Benchmark: `listPosts(limit: 100)` with authors, API key, the local runtime vs amplify-appsync-simulator.

One run starts one DynamoDB Local (in memory) and moto, seeds published posts by authors with profiles (and
some drafts, which must not be listed), then serves the same query from the same data with both peers, each
in its own process pinned to core 0:

* the local runtime (`bench/serve_runtime.py`): the app's APPSYNC_JS pipeline `Query.listPosts`
  (`queryPosts`: one Query on byStatusCreatedAt, then `attachAuthors`: one BatchGetItem of the page's
  distinct authors);
* amplify-appsync-simulator (`bench/simulator/serve.js` with `simulator/listPosts.json`): a VTL Query on
  byStatusCreatedAt and a VTL `Post.author` resolver doing one GetItem per post (the simulator's DynamoDB
  data source has no BatchGetItem).

Both servers count the requests their data sources run; the script reports data-source calls per request
next to req/s and latency. DynamoDB Local, moto, this script and wrk share core 1.

Usage::

    .venv/bin/python bench/listposts.py [--rounds 3] [--duration 10] [--connections 16] [--profile DIR]
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
    measure,
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
from appsync_local.runtime import api_key_store

QUERY = (
    "query ListPosts { listPosts(limit: 100) { items { id title tags status createdAt author { name } } "
    "nextToken } }"
)
PAGE = 100
SIMULATOR_APP = SIMULATOR_DIR / "listPosts.json"
SIMULATOR_API_KEY = "da2-bench"  # serve.js configures this key
FLOOR_SERVER = Path(__file__).resolve().parent / "serve_floor_posts.py"
GOAL_RATIO = 2.0  # the runtime's req/s over the simulator's, without the API cache
GOAL_RATIO_CACHED = 4.0  # issue 14: with the app's API cache (serve_runtime.py)
GOAL_CPU_MS = 7.0  # issue 14: server CPU per request without the cache (serve_runtime_nocache.py)


# -- data -------------------------------------------------------------------------------------------


def seed_posts(aws: LocalAws, author_subs: list[str], published: int, drafts: int) -> None:
    """Profiles for every author, `published` posts spread over them, and `drafts` that must stay unlisted."""
    session = aws.session()
    users = resource(session, "dynamodb", aws.endpoints.dynamodb).Table("Users")
    posts = resource(session, "dynamodb", aws.endpoints.dynamodb).Table("Posts")
    with users.batch_writer() as batch:
        for n, sub in enumerate(author_subs):
            batch.put_item(
                Item={
                    "id": sub,
                    "username": f"author{n}",
                    "email": f"author{n}@example.com",
                    "name": f"Author Number {n}",
                    "bio": f"Writes post after post ({n}).",
                    "createdAt": "2024-05-01T09:00:00.000Z",
                    "updatedAt": "2024-05-01T09:00:00.000Z",
                }
            )
    with posts.batch_writer() as batch:
        for n in range(published + drafts):
            # Distinct, increasing millisecond timestamps in AWSDateTime form; drafts interleave.
            created = f"2025-03-{1 + n // 24:02d}T{n % 24:02d}:00:00.{n % 1000:03d}Z"
            status = "DRAFT" if n % ((published + drafts) // max(1, drafts)) == 0 and drafts else "PUBLISHED"
            item: dict[str, Any] = {
                "id": f"10000000-0000-4000-8000-{n:012d}",
                "authorId": author_subs[n % len(author_subs)],
                "title": f"Benchmark post {n}",
                "body": f"The body of post {n}. " * 20,
                "tags": ["bench", f"topic{n % 7}"],
                "status": status,
                "createdAt": created,
                "updatedAt": created,
            }
            if status == "PUBLISHED":
                item["publishedAt"] = created
            batch.put_item(Item=item)


def listed_page(name: str, url: str, header: tuple[str, str], body: bytes) -> dict[str, Any]:
    result = post(url, {header[0]: header[1]}, body)
    connection = (result.get("data") or {}).get("listPosts")
    if result.get("errors") or not connection:
        raise BenchError(f"{name} answered with errors: {json.dumps(result)[:2000]}")
    return dict(connection)


def check_same_items(peers: dict[str, tuple[Server, tuple[str, str]]], body: bytes) -> list[dict[str, Any]]:
    """Every peer lists the same 100 published posts with their authors, and a next page."""
    pages = {name: listed_page(name, server.url, header, body) for name, (server, header) in peers.items()}
    first = next(iter(pages.values()))["items"]
    if len(first) != PAGE:
        raise BenchError(f"expected {PAGE} posts, got {len(first)}")
    if any(item["status"] != "PUBLISHED" or not (item.get("author") or {}).get("name") for item in first):
        raise BenchError(f"a listed post is not published or has no author: {json.dumps(first)[:2000]}")
    for name, page in pages.items():
        if page["items"] != first:
            raise BenchError(f"{name} returned different posts:\n{json.dumps(pages, indent=1)[:4000]}")
        if not page.get("nextToken"):
            raise BenchError(f"{name} returned no nextToken for the first page of {PAGE}")
    return list(first)


def calls_for_one_request(server: Server, header: tuple[str, str], body: bytes) -> dict[str, int]:
    """The data-source requests one listPosts request makes, by data source (nothing else runs meanwhile)."""
    before = server.counters()
    listed_page(server.name, server.url, header, body)
    after = server.counters()
    return {name: after[name] - before.get(name, 0) for name in after if after[name] - before.get(name, 0)}


# -- profile ----------------------------------------------------------------------------------------

# Where the runtime's GIL time goes, by the first marker found in a stack (root to leaf order of the list).
PHASES = (
    ("botocore: the DynamoDB calls (serialize, sign, HTTP, parse)", ("botocore/",)),
    ("DynamoDB data source: AppSync request/result shapes", ("appsync_local/datasources/",)),
    ("APPSYNC_JS: QuickJS handlers and their JSON boundary", ("appsync_local/js/",)),
    ("AWS scalar serialization", ("schema/aws_scalars.py",)),
    ("runtime executor: field resolvers, auth rules", ("appsync_local/executor.py",)),
    ("GraphQL: parse, validate, execute (graphql-core, strawberry)", ("graphql/", "strawberry/")),
    ("HTTP: uvicorn, starlette, JSON", ("uvicorn/", "starlette/", "appsync_local/http_app.py", "json/")),
    ("asyncio / threads", ("asyncio/", "threading.py", "concurrent/")),
)


def summarise_folded(text: str, top: int = 20) -> str:
    phases: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    total = 0
    for line in text.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        frames = [f for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        count = int(count_text)
        total += count
        self_time[frame_name(frames[-1])] += count
        paths = [f.partition(" (")[2] for f in frames]
        phase = next(
            (label for label, markers in PHASES if any(m in p for p in paths for m in markers)), "other"
        )
        phases[phase] += count
    if total == 0:
        return "(no samples)"
    lines = [f"{total} samples of the thread holding the GIL", "", "by phase:"]
    lines += [f"  {100 * n / total:5.1f}%  {label}" for label, n in phases.most_common()]
    lines += ["", "top self time:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in self_time.most_common(top)]
    return "\n".join(lines)


# -- report -----------------------------------------------------------------------------------------


def report(
    measurements: list[Measurement], args: argparse.Namespace, single: dict[str, dict[str, int]]
) -> str:
    lines = per_round_table(measurements)
    lines += [
        "",
        (
            f"median of {args.rounds} rounds, {args.connections} connections, {args.duration:g} s each "
            f"(after {args.warmup:g} s warm-up):"
        ),
        "",
        (
            "| peer | req/s | p50 (ms) | p99 (ms) | data-source calls / request | server CPU (core 0) "
            "| server CPU ms / request | DynamoDB Local CPU (core 1) |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for peer, label in (
        ("runtime", "local runtime (appsync_local), APPSYNC_JS pipeline"),
        ("simulator", f"amplify-appsync-simulator {SIMULATOR_VERSION}, VTL"),
        ("floor", "floor: API key + the same two DynamoDB calls, no GraphQL, no JS"),
    ):
        calls = " + ".join(f"{n} {source}" for source, n in single[peer].items())
        lines.append(
            f"| {label} | {median_of(measurements, peer, 'rps'):.0f} "
            f"| {median_of(measurements, peer, 'p50_ms'):.2f} | {median_of(measurements, peer, 'p99_ms'):.2f} "
            f"| {median_of(measurements, peer, 'calls_per_request'):.2f} ({calls}) "
            f"| {100 * median_of(measurements, peer, 'server_cpu'):.0f}% "
            f"| {median_of(measurements, peer, 'server_cpu_ms_per_request'):.2f} "
            f"| {100 * median_of(measurements, peer, 'dynamodb_cpu'):.0f}% |"
        )
    simulator_rps = median_of(measurements, "simulator", "rps")
    ratio = median_of(measurements, "runtime", "rps") / simulator_rps if simulator_rps else float("inf")
    cpu = {
        p: median_of(measurements, p, "server_cpu_ms_per_request") for p in ("runtime", "simulator", "floor")
    }
    ratio_goal = f">= {GOAL_RATIO_CACHED:g}x with the app's API cache, >= {GOAL_RATIO:g}x without"
    lines += [
        "",
        f"throughput ratio runtime / simulator: {ratio:.2f}x (goal: {ratio_goal})",
        (
            f"server CPU per request: runtime {cpu['runtime']:.2f} ms (goal without the cache: <= {GOAL_CPU_MS:g}"
            f" ms), floor {cpu['floor']:.2f} ms, simulator {cpu['simulator']:.2f} ms"
        ),
    ]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    body = json.dumps({"query": QUERY}).encode()
    with contextlib.ExitStack() as stack:
        stage = set_stage(stack)
        aws, dynamodb_pid, pool, data_dir = stage.aws, stage.dynamodb_pid, stage.pool, stage.data_dir
        authors = [pool.sub_for(f"bench-author-{n}") for n in range(args.authors)]
        seed_posts(aws, authors, published=args.posts, drafts=args.posts // 10)
        # The runtime's API key lives in its data folder; made here, the server loads the same one.
        api_key = api_key_store(stage.config, data_dir).current().id

        runtime, simulator = start_peers(
            stack,
            stage,
            runtime_server=args.runtime_server,
            simulator_app=SIMULATOR_APP,
        )
        floor = start_floor(stack, stage, FLOOR_SERVER)
        headers = {
            "runtime": ("x-api-key", api_key),
            "simulator": ("x-api-key", SIMULATOR_API_KEY),
            "floor": ("x-api-key", api_key),
        }
        print(
            f"runtime pid {runtime.pid}, simulator pid {simulator.pid} and floor pid {floor.pid} on core "
            f"{SERVER_CORE}; DynamoDB Local "
            f"pid {dynamodb_pid}, moto, wrk and this script on core {SHARED_CORE}",
            flush=True,
        )
        print(f"load average before measuring: {load_average()}", flush=True)
        peers = {
            name: (server, headers[name])
            for name, server in (("runtime", runtime), ("simulator", simulator), ("floor", floor))
        }
        items = check_same_items(peers, body)
        authors_listed = len({item["author"]["name"] for item in items})
        print(
            f"both peers return the same {PAGE} published posts by {authors_listed} authors (newest first: "
            f"{items[0]['createdAt']} .. {items[-1]['createdAt']}) and a nextToken",
            flush=True,
        )
        single = {
            name: calls_for_one_request(server, header, body) for name, (server, header) in peers.items()
        }
        for name, calls in single.items():
            print(f"  {name}: one request = {sum(calls.values())} data-source calls {calls}", flush=True)

        measurements: list[Measurement] = []
        for round_ in range(1, args.rounds + 1):
            # Alternate which peer goes first; each peer has its own credentials, so one peer per call.
            order = ["runtime", "simulator", "floor"] if round_ % 2 else ["floor", "simulator", "runtime"]
            for name in order:
                server, header = peers[name]
                m = measure(
                    server,
                    round_,
                    header,
                    body,
                    dynamodb_pid,
                    connections=args.connections,
                    seconds=args.duration,
                    warmup=args.warmup,
                    count_calls=True,
                )
                print(
                    f"  round {round_} {name:<9} {m.rps:7.0f} req/s  p50 {m.p50_ms:7.2f} ms  p99 {m.p99_ms:7.2f} ms  "
                    f"errors {m.errors}  server CPU {100 * m.server_cpu:.0f}%  "
                    f"data-source calls/request {m.calls_per_request:.2f}",
                    flush=True,
                )
                if m.errors:
                    raise BenchError(f"{name} had {m.errors} failed requests in round {round_}: {m.raw}")
                measurements.append(m)
        print(f"load average after measuring: {load_average()}", flush=True)
        check_same_items(peers, body)
        print(report(measurements, args, single), flush=True)
        if args.json:
            args.json.write_text(json.dumps([{**m.__dict__} for m in measurements], indent=1) + "\n")
        if args.profile:
            folded = args.profile / "runtime-listposts.folded"
            rps = record_profile(
                runtime, headers["runtime"], body, folded, connections=args.connections, seconds=args.duration
            )
            text = f"py-spy, {args.duration:g} s at {rps:.0f} req/s while sampled ({folded}):\n"
            text += summarise_folded(folded.read_text())
            (args.profile / "listposts-summary.txt").write_text(text + "\n")
            print("", text, sep="\n", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_options(parser)
    parser.add_argument("--posts", type=int, default=150, help="published posts seeded (at least 101)")
    parser.add_argument("--authors", type=int, default=12, help="authors with profiles (at least 10)")
    args = parser.parse_args(argv)
    if (
        args.rounds < 1
        or args.duration <= 0
        or args.connections < 1
        or args.posts <= PAGE
        or args.authors < 10
    ):
        parser.error(
            "--rounds and --connections must be >= 1, --duration > 0, --posts > 100, --authors >= 10"
        )
    return run_script(run, args)


if __name__ == "__main__":
    sys.exit(main())
