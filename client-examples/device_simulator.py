"""A fleet of devices sending events to the ingestion pipeline, by both ways in: Kinesis PutRecords (IAM) and
the API's `ingestEvents` (API key). Some events are sent again (duplicates) and some are malformed, so what the
pipeline reports can be checked against what this prints.

From the repository root, with `make run` serving (its banner prints the local Kinesis endpoint):

    export APPSYNC_URL=http://127.0.0.1:4000/graphql
    export APPSYNC_API_KEY=$(.venv/bin/python -m appsync_local api-key)
    export AWS_ENDPOINT_URL_KINESIS=http://127.0.0.1:<port>      # locally only; on AWS leave it unset
    export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local   # on AWS: real credentials
    .venv/bin/python client-examples/device_simulator.py --events 200 --duplicates 0.3 --malformed 0.05

Half the events go each way (`--via kinesis` or `--via api` for one only), in batches of `--batch`. A malformed
event sent through the API is refused there, with its reason (it never reaches the stream); one sent to Kinesis
reaches the transform, which keeps it as `dropped` with the reason. `--seed` repeats a run exactly; sending the
same run again (same seed) adds only duplicates. The last line is JSON: what the reports should add up to.
"""

from __future__ import annotations

import json
import random
import re
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from _env import api_key, arguments, graphql_url, host, region, run
from gql import Client, GraphQLRequest
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.appsync_auth import AppSyncApiKeyAuthentication

INGEST = """
mutation Ingest($events: [IngestEventInput!]!) {
  ingestEvents(events: $events) { acceptedCount failedCount events { eventId sequenceNumber errorCode errorMessage } }
}
"""
TYPES = ("reading", "alert", "heartbeat")
SOURCE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")  # what the pipeline takes as a source
# What a broken device sends: each is refused by the API's checks or dropped by the transform, with a reason.
# (Through the API a time that is not ISO-8601 fails the whole call: AWSDateTime is checked before the resolver.)
MALFORMED_EITHER_WAY: tuple[dict[str, Any], ...] = ({"source": "bad source!"}, {"type": ""}, {"eventId": ""})
MALFORMED_ON_KINESIS = (*MALFORMED_EITHER_WAY, {"occurredAt": "yesterday"}, {"payload": [1, 2]})


def make_events(
    count: int, sources: list[str], duplicates: float, malformed: float, rng: random.Random, via: str
) -> list[dict[str, Any]]:
    """`count` events: distinct ones, then resends of earlier ones (`duplicates`), some broken (`malformed`);
    each marked with the way it goes (`_via`: alternately, unless `via` names one)."""
    now = datetime.now(UTC)
    events: list[dict[str, Any]] = []
    for index in range(count):
        if events and rng.random() < duplicates:
            resent = dict(rng.choice([e for e in events if not e.get("_malformed")] or events))
            resent["_via"] = via if via != "both" else ("kinesis", "api")[index % 2]
            events.append(resent)
            continue
        event: dict[str, Any] = {
            "eventId": str(uuid.UUID(int=rng.getrandbits(128))),
            "source": rng.choice(sources),
            "type": rng.choice(TYPES),
            "occurredAt": (now - timedelta(seconds=rng.randint(0, 600))).isoformat(timespec="milliseconds"),
            "payload": {"value": round(rng.uniform(15, 30), 2), "device": f"device-{index % 17}"},
        }
        event["_via"] = via if via != "both" else ("kinesis", "api")[index % 2]
        if rng.random() < malformed:
            breakage = MALFORMED_ON_KINESIS if event["_via"] == "kinesis" else MALFORMED_EITHER_WAY
            event.update(rng.choice(breakage), _malformed=True)
        events.append(event)
    return events


def via_kinesis(events: list[dict[str, Any]], stream: str, batch: int) -> Counter[str]:
    """PutRecords, `batch` at a time; a record Kinesis refuses (throttled) is sent again."""
    kinesis = boto3.client("kinesis", region_name=region())
    outcome: Counter[str] = Counter()
    for start in range(0, len(events), batch):
        pending = [
            {
                "Data": json.dumps({k: v for k, v in e.items() if not k.startswith("_")}).encode(),
                "PartitionKey": str(e.get("source") or "unknown"),
            }
            for e in events[start : start + batch]
        ]
        for _attempt in range(5):
            answers = kinesis.put_records(StreamName=stream, Records=pending)["Records"]
            retry = [record for record, answer in zip(pending, answers, strict=True) if "ErrorCode" in answer]
            outcome["written"] += len(pending) - len(retry)
            if not retry:
                break
            pending = retry
        else:
            outcome["not written"] += len(pending)
    return outcome


async def via_api(events: list[dict[str, Any]], batch: int) -> Counter[str]:
    """ingestEvents, `batch` at a time, with the API key."""
    outcome: Counter[str] = Counter()
    transport = AIOHTTPTransport(
        url=graphql_url(), auth=AppSyncApiKeyAuthentication(host=host(), api_key=api_key())
    )
    async with Client(transport=transport) as session:
        for start in range(0, len(events), batch):
            chunk = [
                {
                    **{k: v for k, v in e.items() if not k.startswith("_") and k != "payload"},
                    "payload": json.dumps(e.get("payload")),
                }
                for e in events[start : start + batch]
            ]
            result = await session.execute(GraphQLRequest(INGEST, variable_values={"events": chunk}))
            for answer in result["ingestEvents"]["events"]:
                outcome["written" if answer["sequenceNumber"] else f"refused: {answer['errorMessage']}"] += 1
    return outcome


def _reported_source(event: dict[str, Any]) -> str:
    source = event.get("source")
    return source if isinstance(source, str) and SOURCE.match(source) else "unknown"


async def main(
    count: int,
    sources: list[str],
    duplicates: float,
    malformed: float,
    via: str,
    batch: int,
    stream: str,
    seed: int | None,
) -> None:
    if via != "kinesis":
        graphql_url(), api_key()  # say what to set before sending anything
    rng = random.Random(seed)
    events = make_events(count, sources, duplicates, malformed, rng, via)
    to_kinesis = [e for e in events if e["_via"] == "kinesis"]
    to_api = [e for e in events if e["_via"] == "api"]
    sent_kinesis = via_kinesis(to_kinesis, stream, batch) if to_kinesis else Counter()
    sent_api = await via_api(to_api, batch) if to_api else Counter()
    print(f"kinesis PutRecords: {dict(sent_kinesis) or 'nothing'}")
    print(f"ingestEvents:       {dict(sent_api) or 'nothing'}")
    good = [e for e in events if not e.get("_malformed")]
    expected = {
        "sent": len(events),
        "accepted": len({e["eventId"] for e in good}),
        "duplicates": len(good) - len({e["eventId"] for e in good}),
        "dropped": sum(1 for e in to_kinesis if e.get("_malformed")),
        # a malformed record's report is its source's, or `unknown` when its source is what is wrong
        "droppedBySource": dict(Counter(_reported_source(e) for e in to_kinesis if e.get("_malformed"))),
        "refusedByApi": sum(1 for e in to_api if e.get("_malformed")),
        "bySource": dict(Counter(e["source"] for e in good)),
    }
    print(json.dumps(expected), flush=True)


if __name__ == "__main__":
    parser = arguments(__doc__)
    parser.add_argument("--events", type=int, default=200, help="how many events to send (default 200)")
    parser.add_argument(
        "--sources", default="sensors,orders", help="comma-separated sources (default sensors,orders)"
    )
    parser.add_argument("--duplicates", type=float, default=0.3, help="share of resent events (default 0.3)")
    parser.add_argument(
        "--malformed", type=float, default=0.05, help="share of malformed events (default 0.05)"
    )
    parser.add_argument("--via", choices=("both", "kinesis", "api"), default="both")
    parser.add_argument("--batch", type=int, default=100, help="events per call, at most 500 (default 100)")
    parser.add_argument(
        "--stream", default="ingest-events", help="the Kinesis stream (deployed: the stack's output)"
    )
    parser.add_argument("--seed", type=int, default=None, help="repeat a run exactly")
    args = parser.parse_args()
    if not 1 <= args.batch <= 500:
        parser.error("--batch must be 1-500 (PutRecords' and ingestEvents' limit)")
    run(
        main(
            args.events,
            [s.strip() for s in args.sources.split(",") if s.strip()],
            args.duplicates,
            args.malformed,
            args.via,
            args.batch,
            args.stream,
            args.seed,
        )
    )
