"""The ingestion pipeline's pure parts: an event's checks and line, object names, report figures, ingestEvents."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from functions.ingestion.events import InvalidEvent, dropped_line, identify, parse_event
from functions.ingestion.layout import delivered_object
from functions.ingestion.reports import SourceReport
from functions.ingestion.rollup import hour_of
from resolvers.ingestion.collect import MAX_EVENTS, ValidationError, ingest

NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


def event(**fields: Any) -> bytes:
    base = {"eventId": "e-1", "source": "sensors", "type": "reading", "occurredAt": "2026-12-02T00:59:58.5Z"}
    return json.dumps({**base, **fields}).encode()


def test_a_valid_event_becomes_an_accepted_line_in_utc_hive_time() -> None:
    parsed = parse_event(event(occurredAt="2026-12-02T01:59:58.123+01:00", payload={"value": 21.5}), NOW)
    line = parsed.line(NOW, "accepted")
    assert line == {
        "event_id": "e-1",
        "source": "sensors",
        "type": "reading",
        "occurred_at": "2026-12-02 00:59:58.123",
        "received_at": "2026-12-02 01:00:00.000",
        "status": "accepted",
        "reason": None,
        "payload": '{"value":21.5}',
    }


@pytest.mark.parametrize(
    ("moment", "expected"),
    [(1764637198123, "2025-12-02 00:59:58.123"), (1764637198, "2025-12-02 00:59:58.000")],
)
def test_epoch_milliseconds_and_seconds_are_both_understood(moment: int, expected: str) -> None:
    assert parse_event(event(occurredAt=moment), NOW).line(NOW, "accepted")["occurred_at"] == expected


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (event(eventId=""), "eventId must be"),
        (event(eventId="a b"), "eventId must be"),
        (event(source="x" * 65), "source must be"),
        (event(type=""), "type must be"),
        (event(occurredAt="yesterday"), "not an ISO-8601 time"),
        (event(occurredAt="2026-12-02T00:00:00"), "no time zone"),
        (event(occurredAt="2026-12-02T03:00:00Z"), "in the future"),
        (event(occurredAt=True), "ISO-8601 time or epoch"),
        (event(payload=[1]), "payload must be a JSON object"),
    ],
)
def test_a_malformed_event_is_refused_with_its_reason(data: bytes, reason: str) -> None:
    with pytest.raises(InvalidEvent, match=reason):
        parse_event(data, NOW)


def test_a_dropped_line_keeps_what_can_be_told_and_why() -> None:
    line = dropped_line(event(occurredAt="soon"), NOW, "occurredAt is not an ISO-8601 time")
    assert (line["event_id"], line["source"], line["status"]) == ("e-1", "sensors", "dropped")
    assert line["reason"] == "occurredAt is not an ISO-8601 time"
    assert identify(b"\xff\xfe") == (None, "unknown")
    assert identify(event(source="bad source")) == ("e-1", "unknown")


def test_firehose_objects_are_told_apart_by_prefix_and_named_by_their_batch() -> None:
    raw = delivered_object(
        "raw", "events/2026/12/02/01/ingest-1-2026-12-02-01-00-05-0f8e2c4a-1b2c-4d5e-8f90-a1b2c3d4e5f6"
    )
    assert raw is not None and not raw.failed
    assert (raw.hour, raw.batch_id) == ("2026/12/02/01", "0f8e2c4a-1b2c-4d5e-8f90-a1b2c3d4e5f6")
    assert raw.uri.startswith("s3://raw/events/2026/12/02/01/")
    failed = delivered_object(
        "raw",
        "errors/processing-failed/2026/12/02/01/ingest-1-2026-12-02-01-00-05-0f8e2c4a-1b2c-4d5e-8f90-a1b2c3d4e5f6",
    )
    assert failed is not None and failed.failed
    assert delivered_object("raw", "elsewhere/2026/12/02/01/x-0f8e2c4a-1b2c-4d5e-8f90-a1b2c3d4e5f6") is None
    assert delivered_object("raw", "events/readme.txt") is None


def test_a_report_is_partial_when_something_was_dropped_or_failed_and_failed_when_nothing_else() -> None:
    report = SourceReport("BATCH", "sensors", "s3://r/x.csv", batch_id="b", accepted=3, duplicates=1)
    assert (report.status, report.record_count, report.id) == ("SUCCEEDED", 4, "batch:b:sensors")
    report.dropped = 1
    assert report.status == "PARTIAL"
    assert SourceReport("BATCH", "sensors", "s3://r/x", batch_id="b", failed=2).status == "FAILED"
    rollup = SourceReport("ROLLUP", "sensors", "s3://r/h.csv", period_start="2026-12-02T01:00:00.000Z")
    assert rollup.id == "rollup:2026-12-02T01:sensors"


def test_the_rollup_reports_the_last_full_hour_before_its_schedule_fired() -> None:
    assert hour_of({"time": "2026-12-02T02:00:07Z"}) == datetime(2026, 12, 2, 1, tzinfo=UTC)
    assert hour_of({"hour": "2026/11/30/23"}) == datetime(2026, 11, 30, 23, tzinfo=UTC)
    with pytest.raises(ValueError, match="yyyy/MM/dd/HH"):
        hour_of({"hour": "2026-11-30"})


class FakeKinesis:
    """PutRecords' answer: every record written, except those whose eventId is listed as throttled."""

    def __init__(self, throttled: tuple[str, ...] = ()) -> None:
        self.calls: list[dict[str, Any]] = []
        self.throttled = throttled

    def put_records(self, StreamName: str, Records: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append({"StreamName": StreamName, "Records": Records})
        answers = []
        for index, record in enumerate(Records):
            if json.loads(record["Data"])["eventId"] in self.throttled:
                answers.append(
                    {"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "slow down"}
                )
            else:
                answers.append({"SequenceNumber": f"seq-{index}", "ShardId": "shardId-000000000000"})
        return {"FailedRecordCount": sum("ErrorCode" in a for a in answers), "Records": answers}


def api_event(event_id: str, **fields: Any) -> dict[str, Any]:
    occurred = datetime.now(UTC).isoformat()
    return {"eventId": event_id, "source": "web", "type": "click", "occurredAt": occurred, **fields}


def test_ingest_events_answers_each_event_and_sends_only_the_good_ones() -> None:
    kinesis = FakeKinesis(throttled=("e-3",))
    result = ingest(
        [api_event("e-1", payload='{"x":1}'), api_event("e-2", source="no spaces allowed"), api_event("e-3")],
        "ingest-events",
        kinesis,
    )
    assert result["acceptedCount"] == 1 and result["failedCount"] == 2
    first, second, third = result["events"]
    assert first == {"eventId": "e-1", "sequenceNumber": "seq-0", "errorCode": None, "errorMessage": None}
    assert second["errorCode"] == "InvalidEvent" and "source must be" in second["errorMessage"]
    assert third["errorCode"] == "ProvisionedThroughputExceededException"
    (call,) = kinesis.calls
    assert [r["PartitionKey"] for r in call["Records"]] == ["web", "web"]
    assert json.loads(call["Records"][0]["Data"])["payload"] == {"x": 1}


def test_ingest_events_refuses_more_than_500_and_oversized_events() -> None:
    with pytest.raises(ValidationError, match="at most 500 events"):
        ingest([api_event(f"e-{i}") for i in range(MAX_EVENTS + 1)], "s", FakeKinesis())
    result = ingest([api_event("big", payload=json.dumps({"blob": "x" * 1_100_000}))], "s", FakeKinesis())
    assert result["events"][0]["errorCode"] == "InvalidEvent"
    assert "at most 1048576" in result["events"][0]["errorMessage"]
