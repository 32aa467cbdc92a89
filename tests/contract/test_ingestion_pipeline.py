"""The ingestion pipeline end to end on the live server: events in by Kinesis PutRecords and by `ingestEvents`,
through Firehose's buffer and the transform, reported with Athena SQL, pushed live on `onIngestionResult`,
listed and downloaded from the API; replays add nothing, and a poison object ends in the dead-letter queue."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from appsync_local.local_aws import LocalAws
from appsync_local.local_aws.endpoints import client
from tests.contract.clients import api_key_client, run, user_client
from tests.contract.test_app_subscriptions import Subscriber, api_key_auth, subscribed
from tests.fixtures.live_server import LiveServer

INGEST = """
mutation($events: [IngestEventInput!]!) {
  ingestEvents(events: $events) { acceptedCount failedCount events { eventId sequenceNumber errorCode errorMessage } }
}
"""
LIVE = """
subscription($source: String) {
  onIngestionResult(source: $source) { source batchId recordCount status accepted duplicates dropped failed reportId }
}
"""
REPORTS = """
query($source: String) {
  listIngestionReports(source: $source, limit: 100) { items { id source batchId accepted duplicates dropped failed location } }
}
"""
REPORT = "query($id: ID!) { ingestionReport(id: $id) { id source accepted download { url expiresAt } } }"
DEADLINE_SECONDS = 90.0


def sample(source: str, unique: int = 40, resent: int = 12) -> tuple[list[dict[str, Any]], list[bytes]]:
    """Valid events (`unique` distinct, then `resent` of them again: 30 %) and 3 malformed records (5 %)."""
    now = datetime.now(UTC)
    events = [
        {
            "eventId": f"{source}-{index}",
            "source": source,
            "type": ("reading", "alert")[index % 2],
            "occurredAt": (now - timedelta(seconds=index)).isoformat(timespec="milliseconds"),
            "payload": {"value": 20 + index % 7},
        }
        for index in range(unique)
    ]
    events += [dict(events[index * 3]) for index in range(resent)]
    base = {"eventId": f"{source}-bad", "source": source, "type": "reading", "occurredAt": now.isoformat()}
    malformed = [
        json.dumps({**base, "eventId": f"{source}-bad-1", "occurredAt": "yesterday"}).encode(),
        json.dumps({**base, "eventId": f"{source}-bad-2", "type": ""}).encode(),
        json.dumps({**base, "eventId": f"{source}-bad-3", "payload": [1, 2]}).encode(),
    ]
    return events, malformed


def send(live: LiveServer, kinesis: Any, events: list[dict[str, Any]], malformed: list[bytes]) -> None:
    """Every other event by PutRecords (IAM), the rest by ingestEvents (API key); malformed ones by PutRecords."""
    direct = [json.dumps(e).encode() for e in events[::2]] + malformed
    written = kinesis.put_records(
        StreamName="ingest-events", Records=[{"Data": data, "PartitionKey": "device"} for data in direct]
    )
    assert written["FailedRecordCount"] == 0
    through_api = [{**e, "payload": json.dumps(e["payload"])} for e in events[1::2]]
    answer = run(api_key_client(live.url, live.api_key), INGEST, events=through_api)["ingestEvents"]
    assert (answer["acceptedCount"], answer["failedCount"]) == (len(through_api), 0)


async def totals_reach(subscriber: Subscriber, totals: Counter[str], expected: dict[str, int]) -> None:
    """Add up the live results until each of `expected` is reached (or the deadline passes)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while any(totals[k] < v for k, v in expected.items()):
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"live results added up to {dict(totals)}, expected {expected}"
        try:
            result = (await asyncio.wait_for(subscriber.events.get(), remaining))["onIngestionResult"]
        except TimeoutError:
            continue
        for kind in ("accepted", "duplicates", "dropped", "failed"):
            totals[kind] += result[kind]
        totals["results"] += 1


@pytest.fixture
def kinesis(local_aws: LocalAws) -> Any:
    return client(local_aws.session(), "kinesis", local_aws.endpoints.kinesis)


async def test_events_become_reports_live_and_replays_add_nothing(
    live_server: LiveServer, kinesis: Any
) -> None:
    source = f"sensors-{uuid.uuid4().hex[:8]}"
    events, malformed = sample(source)
    # GIVEN a dashboard subscribed to one source's results
    async with subscribed(live_server, api_key_auth(live_server), LIVE, source=source) as subscriber:
        # WHEN devices send 52 events (40 distinct, 12 resent) and 3 malformed records, both ways
        await asyncio.to_thread(send, live_server, kinesis, events, malformed)
        # THEN the live results add up to exactly what was sent
        totals: Counter[str] = Counter()
        await totals_reach(subscriber, totals, {"accepted": 40, "duplicates": 12, "dropped": 3})
        assert (totals["accepted"], totals["duplicates"], totals["dropped"], totals["failed"]) == (
            40,
            12,
            3,
            0,
        )
        # WHEN the whole input is replayed three times
        for _ in range(3):
            await asyncio.to_thread(send, live_server, kinesis, events, malformed)
        # THEN nothing more takes effect: every replayed event is a duplicate, every malformed one dropped again
        await totals_reach(subscriber, totals, {"duplicates": 12 + 3 * 52, "dropped": 4 * 3})
        assert (totals["accepted"], totals["duplicates"], totals["dropped"]) == (40, 168, 12)
    # AND the reports are there for a signed-in user, adding up the same, each with its CSV
    reader = user_client(live_server.url, live_server.token("bob"))
    reports = (await asyncio.to_thread(run, reader, REPORTS, source=source))["listIngestionReports"]["items"]
    assert sum(r["accepted"] for r in reports) == 40 and {r["source"] for r in reports} == {source}
    assert sum(r["duplicates"] for r in reports) == 168
    first = max(reports, key=lambda r: r["accepted"])
    report = (await asyncio.to_thread(run, reader, REPORT, id=first["id"]))["ingestionReport"]
    csv = httpx.get(report["download"]["url"], timeout=10).text.splitlines()
    assert (
        csv[0] == '"source","type","accepted","duplicates","dropped","first_occurred_at","last_occurred_at"'
    )
    mine = [line for line in csv[1:] if line.startswith(f'"{source}",')]
    assert sum(int(line.split(",")[2].strip('"')) for line in mine) == first["accepted"]
    assert first["location"].startswith("s3://ingest-reports/reports/batches/")


def test_reports_are_for_signed_in_users_and_iam_only(live_server: LiveServer) -> None:
    public = api_key_client(live_server.url, live_server.api_key)
    with pytest.raises(Exception, match="Not Authorized to access listIngestionReports"):
        run(public, REPORTS, source="anything")


def test_more_than_500_events_in_one_call_are_refused(live_server: LiveServer) -> None:
    now = datetime.now(UTC).isoformat()
    events = [{"eventId": f"e{i}", "source": "s", "type": "t", "occurredAt": now} for i in range(501)]
    with pytest.raises(Exception, match="at most 500 events per call; this one has 501"):
        run(api_key_client(live_server.url, live_server.api_key), INGEST, events=events)


def test_a_poison_object_ends_in_the_dead_letter_queue_with_its_reason(
    live_server: LiveServer, local_aws: LocalAws
) -> None:
    # GIVEN an object under events/ that is not newline-delimited JSON, in an hour of its own
    session = local_aws.session()
    key = f"events/2025/01/01/00/ingest-1-2025-01-01-00-00-00-{uuid.uuid4()}"
    client(session, "s3", local_aws.endpoints.s3).put_object(
        Bucket="ingest-raw", Key=key, Body=b"\x00 not json\n"
    )
    # THEN its notification, failed three times by the report function, waits in the dead-letter queue
    sqs = client(session, "sqs", local_aws.endpoints.moto)
    dlq = sqs.get_queue_url(QueueName="ingest-raw-objects-dlq")["QueueUrl"]
    deadline = time.monotonic() + DEADLINE_SECONDS
    found: list[dict[str, Any]] = []
    while not found:
        assert time.monotonic() < deadline, "the poison object's message never reached the DLQ"
        messages = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        )
        found = [m for m in messages if key in m["Body"]]
    # AND each attempt logged why: Athena could not read the object
    reasons = [
        line
        for record in live_server.runtime.observer.log.newest()
        if record.function == "ingest-report"
        for line in record.output
        if "Reporting failed" in line and key in line
    ]
    assert len(reasons) >= 3
    assert any("Athena query" in line and "FAILED" in line for line in reasons), reasons[:1]


async def test_the_hourly_rollup_reports_an_hours_accepted_events_by_source_live(
    live_server: LiveServer, local_aws: LocalAws
) -> None:
    # GIVEN an hour of raw events, as the transform wrote them (one accepted twice over two objects, a duplicate)
    source = f"rollup-{uuid.uuid4().hex[:8]}"
    hour = "2025/06/01/10"
    line = {"source": source, "type": "reading", "occurred_at": "2025-06-01 10:00:00.000",
            "received_at": "2025-06-01 10:00:01.500", "reason": None}  # fmt: skip
    objects = [
        [{**line, "event_id": "r1", "status": "accepted", "payload": '{"value":10}'},
         {**line, "event_id": "r2", "status": "accepted", "payload": '{"value":20}'}],
        [{**line, "event_id": "r1", "status": "duplicate", "payload": '{"value":10}'},
         {**line, "event_id": "r3", "status": "accepted", "payload": '{"value":30}'}],
    ]  # fmt: skip
    s3 = client(local_aws.session(), "s3", local_aws.endpoints.s3)
    for lines in objects:
        key = f"events/{hour}/ingest-1-2025-06-01-10-00-00-{uuid.uuid4()}"
        body = "".join(json.dumps(entry) + "\n" for entry in lines).encode()
        s3.put_object(Bucket="ingest-raw", Key=key, Body=body)
    async with subscribed(live_server, api_key_auth(live_server), LIVE, source=source) as subscriber:
        # WHEN the schedule fires for that hour (EventBridge's event names the next hour's start)
        scheduled = {"source": "aws.events", "detail-type": "Scheduled Event", "time": "2025-06-01T11:00:03Z"}
        rollup = live_server.runtime.functions["ingest-rollup"]
        answer = await asyncio.to_thread(rollup.invoke, scheduled, source="events")
        # THEN it reports the hour: three distinct accepted events, live and stored, with the mean value
        assert answer == {"hour": hour, "reports": [f"rollup:2025-06-01T10:{source}"]}
        while True:  # (each object's batch report comes by too)
            result = (await subscriber.next())["onIngestionResult"]
            if result["batchId"].startswith("rollup:"):
                break
        assert (result["accepted"], result["reportId"]) == (3, f"rollup:2025-06-01T10:{source}")
    reader = user_client(live_server.url, live_server.token("bob"))
    query = "query($s: String) { listIngestionReports(source: $s, kind: ROLLUP) { items { accepted summary location } } }"
    (report,) = (await asyncio.to_thread(run, reader, query, s=source))["listIngestionReports"]["items"]
    assert (
        report["accepted"] == 3
        and report["location"] == "s3://ingest-reports/reports/hourly/2025/06/01/10.csv"
    )
    (row,) = json.loads(report["summary"])["rows"]
    assert (row["events"], row["mean_value"], row["median_delay_ms"]) == ("3", "20.0", "1500.0")
