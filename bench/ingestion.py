"""Benchmark: the ingestion pipeline — dedup against DynamoDB Local's own limit, and events end to end.

`.venv/bin/python bench/ingestion.py [--runs 3] [--records 4000] [--events 10000] [--latency 20]`

1. DynamoDB Local's raw conditional-write rate: `--records` PutItem calls with `attribute_not_exists`, eight
   in flight (the dedup's own concurrency), on a fresh table: writes per second. This is the limit.
2. Firehose's transform with its dedup (`functions/ingestion/transform.py`), called in this process with
   Firehose's event, 500 records per invocation, all new eventIds: events per second, and its share of (1).
   This process is pinned to one core (DynamoDB Local's JVM keeps the other).
3. End to end on the live runtime: `--events` events put on the stream with PutRecords (500 per call) until
   the batch reports of their source add up to all of them: events per second; then `--latency` rounds of
   100 events, each timed from PutRecords to its onIngestionResult arriving over AppSync's realtime protocol
   (Firehose's local buffer: 5 s, as `make run` has it): p50 / p99.

Everything runs on in-memory local AWS (DynamoDB Local, moto, kinesalite, the local Athena). No peer: the
simulator has no Kinesis, Firehose or Athena. Prints the median of `--runs` rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gql import Client, gql
from gql.transport.appsync_auth import AppSyncApiKeyAuthentication
from gql.transport.appsync_websockets import AppSyncWebsocketsTransport

from appdef import load_config
from appsync_local.http_app import create_app
from appsync_local.local_aws import LocalAws, seed
from appsync_local.local_aws.endpoints import client
from appsync_local.local_services import running_local_services
from appsync_local.runtime import build_runtime
from appsync_local.serving import BackgroundServer
from functions.ingestion import transform
from functions.ingestion.dedup import PARALLEL_WRITES
from tests.functional.function_events import FakeLambdaContext

PER_CALL = 500
REPORTS = "query($s: String) { listIngestionReports(source: $s, limit: 100) { items { accepted } } }"
LIVE = "subscription($s: String) { onIngestionResult(source: $s) { source batchId accepted } }"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _event(source: str, index: int) -> bytes:
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    body = {"eventId": f"{source}-{index}", "source": source, "type": "reading", "occurredAt": now,
            "payload": {"value": index % 50}}  # fmt: skip
    return json.dumps(body).encode()


def raw_conditional_writes(aws: LocalAws, records: int) -> float:
    """PutItem with attribute_not_exists, PARALLEL_WRITES in flight, on a fresh table: writes per second."""
    dynamodb = client(aws.session(), "dynamodb", aws.endpoints.dynamodb)
    table = f"bench-raw-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "eventId", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "eventId", "KeyType": "HASH"}],
    )  # fmt: skip

    def put(index: int) -> None:
        dynamodb.put_item(
            TableName=table,
            Item={"eventId": {"S": f"raw-{index}"}, "recordId": {"S": str(index)}, "expiresAt": {"N": "1"}},
            ConditionExpression="attribute_not_exists(eventId)",
        )

    started = time.perf_counter()
    with ThreadPoolExecutor(PARALLEL_WRITES) as pool:
        list(pool.map(put, range(records)))
    return records / (time.perf_counter() - started)


def transform_with_dedup(records: int) -> float:
    """The transform over `records` new events, PER_CALL per invocation: events per second."""
    source = f"bench-{uuid.uuid4().hex[:8]}"
    arrival = int(time.time() * 1000)
    events = []
    for start in range(0, records, PER_CALL):
        events.append({
            "invocationId": str(uuid.uuid4()), "region": "us-east-1",
            "deliveryStreamArn": "arn:aws:firehose:us-east-1:000000000000:deliverystream/ingest",
            "records": [
                {"recordId": f"{start + i:012d}", "approximateArrivalTimestamp": arrival,
                 "data": base64.b64encode(_event(source, start + i)).decode()}
                for i in range(min(PER_CALL, records - start))
            ],
        })  # fmt: skip
    context = FakeLambdaContext("ingest-transform")
    started = time.perf_counter()
    for event in events:
        response = transform.lambda_handler(event, context)
        assert all(r["result"] == "Ok" for r in response["records"])
    return records / (time.perf_counter() - started)


async def _reports_add_up(base_url: str, token: str, source: str, expected: int, deadline: float) -> None:
    import httpx

    async with httpx.AsyncClient(timeout=30) as http:
        while True:
            answer = (
                await http.post(f"{base_url}/graphql", json={"query": REPORTS, "variables": {"s": source}},
                                headers={"authorization": token})
            ).json()  # fmt: skip
            if sum(i["accepted"] for i in answer["data"]["listIngestionReports"]["items"]) >= expected:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the reports of {source} did not reach {expected} events")
            await asyncio.sleep(0.2)


def _put(kinesis: Any, source: str, start: int, count: int) -> None:
    for offset in range(start, start + count, PER_CALL):
        size = min(PER_CALL, start + count - offset)
        records = [{"Data": _event(source, offset + i), "PartitionKey": source} for i in range(size)]
        assert kinesis.put_records(StreamName="ingest-events", Records=records)["FailedRecordCount"] == 0


async def _through_the_runtime(
    base_url: str, api_key: str, token: str, kinesis: Any, events: int, rounds: int
) -> tuple[float, list[float]]:
    source = f"bench-{uuid.uuid4().hex[:8]}"
    started = time.perf_counter()
    await asyncio.to_thread(_put, kinesis, source, 0, events)
    await _reports_add_up(base_url, token, source, events, time.monotonic() + 600)
    rate = events / (time.perf_counter() - started)
    auth = AppSyncApiKeyAuthentication(host=base_url.split("://", 1)[1], api_key=api_key)
    latencies: list[float] = []
    for _ in range(rounds):
        source = f"lat-{uuid.uuid4().hex[:8]}"
        transport = AppSyncWebsocketsTransport(url=f"{base_url.replace('http', 'ws', 1)}/graphql", auth=auth)
        async with Client(transport=transport) as session:
            results = session.subscribe(gql(LIVE), variable_values={"s": source})
            pending = asyncio.ensure_future(results.__anext__())
            await asyncio.sleep(0.3)  # let the start be acknowledged (gql does not expose start_ack)
            sent = time.perf_counter()
            await asyncio.to_thread(_put, kinesis, source, 0, 100)
            await asyncio.wait_for(pending, timeout=120)
            latencies.append((time.perf_counter() - sent) * 1000)
    return rate, latencies


def end_to_end(aws: LocalAws, events: int, rounds: int) -> tuple[float, float, float]:
    config = load_config(ROOT / "appsync.toml")
    data = Path(tempfile.mkdtemp(prefix="bench-ingestion-data-"))
    server = BackgroundServer()
    runtime = build_runtime(config, data, public_url=server.url)
    seed(config, aws.session(), aws.endpoints, runtime.seed_substitutions())
    assert runtime.user_pool is not None and runtime.api_keys is not None
    kinesis = client(aws.session(), "kinesis", aws.endpoints.kinesis)
    with running_local_services(config, runtime, aws, data, persistent=False) as services:
        server.serve(create_app(runtime, local_routes=services.routes))
        try:
            rate, latencies = asyncio.run(
                _through_the_runtime(server.url, runtime.api_keys.current().id, runtime.user_pool.mint("bob"),
                                     kinesis, events, rounds)
            )  # fmt: skip
        finally:
            server.stop()
    return rate, _percentile(latencies, 0.5), _percentile(latencies, 0.99)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--records", type=int, default=4000, help="writes and transformed events per round")
    parser.add_argument("--events", type=int, default=10_000, help="events end to end per round")
    parser.add_argument(
        "--latency", type=int, default=20, help="rounds of 100 events timed to the subscriber"
    )
    args = parser.parse_args()
    config = load_config(ROOT / "appsync.toml")
    rounds: dict[str, list[float]] = {"raw": [], "dedup": [], "e2e": [], "p50": [], "p99": []}
    with contextlib.ExitStack() as stack:
        print("starting DynamoDB Local (in memory), moto, kinesalite and the local Athena ...", flush=True)
        aws = stack.enter_context(LocalAws(config, in_memory=True))
        os.environ.update(aws.endpoints.environment())
        os.environ.update({"DEDUP_TABLE": "IngestDedup", "AWS_LAMBDA_FUNCTION_NAME": "ingest-transform"})
        cores = sorted(os.sched_getaffinity(0))
        for run in range(1, args.runs + 1):
            os.sched_setaffinity(
                0, cores[:1]
            )  # this process on one core; DynamoDB Local's JVM may use the rest
            rounds["raw"].append(raw_conditional_writes(aws, args.records))
            rounds["dedup"].append(transform_with_dedup(args.records))
            os.sched_setaffinity(0, cores)
            rate, p50, p99 = end_to_end(aws, args.events, args.latency)
            rounds["e2e"].append(rate)
            rounds["p50"].append(p50)
            rounds["p99"].append(p99)
            print(
                f"round {run}: conditional writes {rounds['raw'][-1]:.0f}/s; transform + dedup "
                f"{rounds['dedup'][-1]:.0f} events/s ({rounds['dedup'][-1] / rounds['raw'][-1]:.0%} of it); "
                f"end to end {rate:.0f} events/s; PutRecords -> onIngestionResult p50 {p50:.0f} ms, p99 {p99:.0f} ms",
                flush=True,
            )
    median = {key: statistics.median(values) for key, values in rounds.items()}
    share = median["dedup"] / median["raw"]
    print(f"\n| measure | median of {args.runs} rounds |")
    print("|---|---:|")
    print(
        f"| DynamoDB Local: conditional PutItem, {PARALLEL_WRITES} in flight | {median['raw']:,.0f} writes/s |"
    )
    print(
        f"| transform + dedup, 500 records per invocation, one core | {median['dedup']:,.0f} events/s ({share:.0%} of the limit; dedup costs {1 - share:.0%}) |"
    )
    print(
        f"| PutRecords -> Firehose (5 s buffer) -> transform -> S3 -> report (Athena SQL) | {median['e2e']:,.0f} events/s |"
    )
    print(
        f"| PutRecords -> onIngestionResult received, p50 / p99 | {median['p50']:,.0f} / {median['p99']:,.0f} ms |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
