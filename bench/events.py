"""Benchmark: event sources delivering to functions — SQS throughput and the photo flow's latency.

`.venv/bin/python bench/events.py [--runs 3] [--photos 40] [--latency 20]`

1. SQS -> a no-op function, batch 10: records per second, with 100 and with 1,000 messages queued before the
   mapping starts (the local SQS, moto's, spends about a millisecond per waiting message on each receive).
2. SQS -> the thumbnailer (Pillow, two sizes of a 1600x1200 JPEG each), through the S3 notification:
   photos per second.
3. Upload -> onUpdatePost: a published post's photo POSTed with its presigned URL until the subscriber
   (AppSync's realtime protocol) receives the post with its thumbnails: p50 / p99 in ms.

Everything runs in this process on in-memory local AWS (DynamoDB Local, moto); no peer: the simulator has no
event sources. Prints the median of `--runs` rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import _event_functions
import httpx
from gql import Client, gql
from gql.transport.appsync_auth import AppSyncApiKeyAuthentication
from gql.transport.appsync_websockets import AppSyncWebsocketsTransport

from appdef import load_config
from appsync_local.events import EventEngine
from appsync_local.http_app import create_app
from appsync_local.local_aws import LocalAws, seed
from appsync_local.local_aws.endpoints import client
from appsync_local.local_aws.provision import provision
from appsync_local.local_services import running_local_services
from appsync_local.runtime import build_runtime, local_functions
from appsync_local.serving import BackgroundServer
from tests.fixtures.fast_config import with_fast_redelivery
from tests.functional.images import jpeg

NOOP_APP = """
[api]
name = "bench-events"
schema = "tests.fixtures.events_app.schema:schema"
default_auth = "API_KEY"

[queues.bench-jobs]
visibility_timeout_seconds = 30

[functions.noop]
handler = "_event_functions.noop"
[[functions.noop.triggers]]
type = "sqs"
queue = "bench-jobs"
batch_size = 10
"""


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def sqs_noop(aws: LocalAws, messages: int) -> float:
    """Records per second from a full queue to a no-op function."""
    folder = Path(tempfile.mkdtemp(prefix="bench-events-"))
    (folder / "appsync.toml").write_text(textwrap.dedent(NOOP_APP))
    config = load_config(folder / "appsync.toml")
    provision(config, aws.session(), aws.endpoints)
    sqs = client(aws.session(), "sqs", aws.endpoints.moto)
    url = sqs.get_queue_url(QueueName="bench-jobs")["QueueUrl"]
    for start in range(0, messages, 10):
        sqs.send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "MessageBody": json.dumps({"n": start + i})} for i in range(10)],
        )
    _event_functions.received = 0
    started = time.perf_counter()
    with EventEngine(config, local_functions(config), aws.session(), aws.endpoints, None):
        while _event_functions.received < messages:
            time.sleep(0.005)
        elapsed = time.perf_counter() - started
    return messages / elapsed


def thumbnailer(aws: LocalAws, photos: int) -> float:
    """Photos per second: uploads notify the queue, the thumbnailer writes two sizes and a manifest each."""
    config = with_fast_redelivery(load_config(ROOT / "appsync.toml"))
    only = {"thumbnailer": config.functions["thumbnailer"]}
    config = config.model_copy(update={"functions": only})
    s3 = client(aws.session(), "s3", aws.endpoints.s3)
    photo = jpeg(1600, 1200)
    prefix = uuid.uuid4().hex
    with EventEngine(config, local_functions(config), aws.session(), aws.endpoints, None):
        started = time.perf_counter()
        for n in range(photos):
            s3.put_object(Bucket="post-photos", Key=f"originals/{prefix}/p{n}/{n}.jpg", Body=photo)
        done = 0
        while done < photos:
            listed = s3.list_objects_v2(Bucket="post-photos", Prefix=f"thumbnails/{prefix}/")
            done = sum(1 for o in listed.get("Contents", []) if o["Key"].endswith("manifest.json"))
            time.sleep(0.05)
        return photos / (time.perf_counter() - started)


async def upload_to_subscriber(base_url: str, api_key: str, token: str, uploads: int) -> list[float]:
    """Milliseconds from each photo's upload to its post arriving, with thumbnails, on onUpdatePost."""
    headers = {"authorization": token}

    async def call(query: str, **variables: Any) -> Any:
        async with httpx.AsyncClient(timeout=30) as http:
            answer = (
                await http.post(
                    f"{base_url}/graphql", json={"query": query, "variables": variables}, headers=headers
                )
            ).json()
        assert "errors" not in answer, answer
        return answer["data"]

    post = (await call('mutation { createPost(input: {title: "Bench", body: "B", tags: []}) { id } }'))[
        "createPost"
    ]["id"]
    await call("mutation($id: ID!) { publishPost(id: $id) { id } }", id=post)
    auth = AppSyncApiKeyAuthentication(host=base_url.split("://", 1)[1], api_key=api_key)
    transport = AppSyncWebsocketsTransport(url=f"{base_url.replace('http', 'ws', 1)}/graphql", auth=auth)
    subscription = gql(
        "subscription($id: ID) { onUpdatePost(id: $id) { id imageStatus photoUrl thumbnails { width } } }"
    )
    latencies: list[float] = []
    photo = jpeg(1600, 1200)
    async with Client(transport=transport) as session:
        events = session.subscribe(subscription, variable_values={"id": post})
        pending = asyncio.ensure_future(events.__anext__())
        await asyncio.sleep(0.5)  # let the start be acknowledged (gql does not expose start_ack)
        for _ in range(uploads):
            upload = (
                await call(
                    'mutation($p: ID!) { createPostImageUploadUrl(postId: $p, contentType: "image/jpeg") { url fields key } }',
                    p=post,
                )
            )["createPostImageUploadUrl"]
            async with httpx.AsyncClient(timeout=30) as http:
                sent = await http.post(
                    upload["url"], data=json.loads(upload["fields"]), files={"file": ("p.jpg", photo)}
                )
            assert sent.status_code == 204
            uploaded = time.perf_counter()
            while True:
                event = (await asyncio.wait_for(pending, timeout=60))["onUpdatePost"]
                pending = asyncio.ensure_future(events.__anext__())
                if event["imageStatus"] == "READY" and upload["key"] in (event["photoUrl"] or ""):
                    latencies.append((time.perf_counter() - uploaded) * 1000)
                    break
        pending.cancel()
    return latencies


def end_to_end(aws: LocalAws, uploads: int) -> tuple[float, float]:
    config = load_config(ROOT / "appsync.toml")
    data = Path(tempfile.mkdtemp(prefix="bench-events-data-"))
    server = BackgroundServer()
    runtime = build_runtime(config, data, public_url=server.url)
    seed(config, aws.session(), aws.endpoints, runtime.seed_substitutions())
    assert runtime.user_pool is not None and runtime.api_keys is not None
    with running_local_services(config, runtime, aws, data, persistent=False) as services:
        server.serve(create_app(runtime, local_routes=services.routes))
        try:
            token = runtime.user_pool.mint("alice")
            latencies = asyncio.run(
                upload_to_subscriber(server.url, runtime.api_keys.current().id, token, uploads)
            )
        finally:
            server.stop()
    return _percentile(latencies, 0.5), _percentile(latencies, 0.99)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--depths", default="100,1000", help="messages queued before the mapping starts")
    parser.add_argument("--photos", type=int, default=40)
    parser.add_argument("--latency", type=int, default=20, help="uploads timed end to end per round")
    args = parser.parse_args()
    config = load_config(ROOT / "appsync.toml")
    with contextlib.ExitStack() as stack:
        print("starting DynamoDB Local (in memory) and moto ...", flush=True)
        aws = stack.enter_context(LocalAws(config, in_memory=True))
        stack.enter_context(_environment(aws.endpoints.environment()))
        depths = [int(d) for d in args.depths.split(",")]
        rounds: dict[str, list[float]] = {
            "thumbs": [],
            "p50": [],
            "p99": [],
            **{f"noop{d}": [] for d in depths},
        }
        for run in range(1, args.runs + 1):
            for depth in depths:
                rounds[f"noop{depth}"].append(sqs_noop(aws, depth))
            rounds["thumbs"].append(thumbnailer(aws, args.photos))
            p50, p99 = end_to_end(aws, args.latency)
            rounds["p50"].append(p50)
            rounds["p99"].append(p99)
            noop = ", ".join(f"{rounds[f'noop{d}'][-1]:.0f} records/s from {d}" for d in depths)
            print(
                f"round {run}: SQS->no-op {noop}; SQS->thumbnailer "
                f"{rounds['thumbs'][-1]:.2f} photos/s; upload->onUpdatePost p50 {p50:.0f} ms, p99 {p99:.0f} ms",
                flush=True,
            )
    median = {key: statistics.median(values) for key, values in rounds.items()}
    print(f"\n| measure | median of {args.runs} rounds |")
    print("|---|---:|")
    for depth in depths:
        print(
            f"| SQS -> no-op function, batch 10, {depth:,} queued | {median[f'noop{depth}']:.0f} records/s |"
        )
    print(f"| S3 upload -> SQS -> thumbnailer (1600x1200 JPEG, 2 sizes) | {median['thumbs']:.2f} photos/s |")
    print(f"| upload -> onUpdatePost delivered, p50 / p99 | {median['p50']:.0f} / {median['p99']:.0f} ms |")
    return 0


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Any:
    import os

    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


if __name__ == "__main__":
    sys.exit(main())
