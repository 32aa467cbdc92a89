"""Firehose's transform for the ingestion stream, against DynamoDB Local's dedup table: every record answered
once, malformed ones kept with a reason, and each eventId taking effect once however often it arrives."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from appsync_local.local_aws import LocalAws
from functions.ingestion import transform
from tests.functional.function_events import FakeLambdaContext, unreachable_url, use_function_environment


@pytest.fixture
def transform_env(local_aws: LocalAws, monkeypatch: pytest.MonkeyPatch) -> None:
    use_function_environment(monkeypatch, "ingest-transform")
    monkeypatch.setattr(transform, "_deduplicator", None)


def firehose_event(records: list[tuple[str, bytes]]) -> dict[str, Any]:
    """Firehose's data-transformation event for a Kinesis source, one record per (recordId, data)."""
    arrival = int(datetime.now(UTC).timestamp() * 1000)
    return {
        "invocationId": str(uuid.uuid4()),
        "deliveryStreamArn": "arn:aws:firehose:us-east-1:123456789012:deliverystream/ingest",
        "sourceKinesisStreamArn": "arn:aws:kinesis:us-east-1:123456789012:stream/ingest-events",
        "region": "us-east-1",
        "records": [
            {
                "recordId": record_id,
                "approximateArrivalTimestamp": arrival,
                "data": base64.b64encode(data).decode(),
                "kinesisRecordMetadata": {
                    "sequenceNumber": record_id,
                    "subsequenceNumber": 0,
                    "partitionKey": "sensors",
                    "shardId": "shardId-000000000000",
                    "approximateArrivalTimestamp": arrival,
                },
            }
            for record_id, data in records
        ],
    }


def event_data(event_id: str, **fields: Any) -> bytes:
    body = {
        "eventId": event_id,
        "source": "sensors",
        "type": "reading",
        "occurredAt": datetime.now(UTC).isoformat(),
    }
    return json.dumps({**body, **fields}).encode()


def transformed(records: list[tuple[str, bytes]]) -> dict[str, tuple[str, dict[str, Any] | None]]:
    """recordId -> (result, the line written for it)."""
    response = transform.lambda_handler(firehose_event(records), FakeLambdaContext("ingest-transform"))
    out: dict[str, tuple[str, dict[str, Any] | None]] = {}
    for record in response["records"]:
        assert record["recordId"] not in out
        line = json.loads(base64.b64decode(record["data"])) if record.get("data") else None
        if line is not None:
            assert base64.b64decode(record["data"]).endswith(b"\n")
        out[record["recordId"]] = (record["result"], line)
    return out


def statuses(result: dict[str, tuple[str, dict[str, Any] | None]]) -> dict[str, str]:
    return {rid: (line or {}).get("status", outcome) for rid, (outcome, line) in result.items()}


def test_each_record_gets_one_line_with_its_disposition(transform_env: None) -> None:
    first, again = f"e-{uuid.uuid4()}", f"e-{uuid.uuid4()}"
    result = transformed(
        [
            ("r1", event_data(first, payload={"value": 3})),
            ("r2", event_data(again)),
            ("r3", event_data(first)),  # the same eventId later in the same batch
            ("r4", b"{not json"),
            ("r5", event_data(f"e-{uuid.uuid4()}", occurredAt="last tuesday")),
        ]
    )
    assert statuses(result) == {
        "r1": "accepted",
        "r2": "accepted",
        "r3": "duplicate",
        "r4": "dropped",
        "r5": "dropped",
    }
    assert all(outcome == "Ok" for outcome, _ in result.values())
    assert result["r4"][1] == {
        "event_id": None, "source": "unknown", "type": None, "occurred_at": None,
        "received_at": result["r4"][1]["received_at"], "status": "dropped", "reason": "not JSON", "payload": None,
    }  # fmt: skip
    assert result["r5"][1]["reason"].startswith("occurredAt is not an ISO-8601 time")
    assert result["r1"][1]["payload"] == '{"value":3}'


def test_replaying_the_input_three_times_adds_only_duplicates(transform_env: None) -> None:
    ids = [f"e-{uuid.uuid4()}" for _ in range(20)]
    first = transformed([(f"a{i}", event_data(e)) for i, e in enumerate(ids)])
    assert set(statuses(first).values()) == {"accepted"}
    for replay in range(3):
        again = transformed([(f"replay{replay}-{i}", event_data(e)) for i, e in enumerate(ids)])
        assert set(statuses(again).values()) == {"duplicate"}


def test_firehose_retrying_the_same_records_is_not_a_duplicate(transform_env: None) -> None:
    records = [(f"retry-{uuid.uuid4()}", event_data(f"e-{uuid.uuid4()}")) for _ in range(5)]
    assert set(statuses(transformed(records)).values()) == {"accepted"}
    assert set(statuses(transformed(records)).values()) == {"accepted"}  # the same recordIds: a retry


def test_records_whose_claim_cannot_be_written_fail_and_nothing_is_lost(
    transform_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", unreachable_url())
    monkeypatch.setattr(transform, "_deduplicator", None)
    from functions.ingestion.settings import aws

    aws.cache_clear()
    try:
        result = transformed([("f1", event_data(f"e-{uuid.uuid4()}")), ("f2", b"garbage")])
    finally:
        aws.cache_clear()
    assert result["f1"] == ("ProcessingFailed", None)
    assert statuses(result)["f2"] == "dropped"  # a malformed record needs no claim
