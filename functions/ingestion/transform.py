"""Firehose's transform for the ingestion stream: validate, normalize, enrich and deduplicate each event.

Firehose calls it with its data-transformation event (base64 records) and takes back every recordId once.
Each record becomes one JSON line (`events.py`): `accepted` the first time its eventId is seen, `duplicate`
after, `dropped` with a reason when malformed, all with result `Ok` so the reports can count every kind. A
record whose eventId could not be claimed (the dedup table throttled or unreachable) is `ProcessingFailed`:
Firehose writes it to the error prefix, where the report function counts it as failed.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import (
    KinesisFirehoseDataTransformationRecord,
    KinesisFirehoseDataTransformationResponse,
    KinesisFirehoseEvent,
    event_source,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.ingestion.dedup import DEFAULT_TTL_SECONDS, Claim, Deduplicator
from functions.ingestion.events import Event, InvalidEvent, dropped_line, parse_event
from functions.ingestion.settings import aws, number, required

METRICS_NAMESPACE = "Ingestion"

logger = Logger(service="ingest-transform")
metrics = Metrics(namespace=METRICS_NAMESPACE, service="ingest-transform")
_deduplicator: Deduplicator | None = None


def deduplicator() -> Deduplicator:
    global _deduplicator
    if _deduplicator is None:
        _deduplicator = Deduplicator(
            aws("dynamodb"), required("DEDUP_TABLE"), number("DEDUP_TTL_SECONDS", DEFAULT_TTL_SECONDS)
        )
    return _deduplicator


def _encoded(line: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps(line, separators=(",", ":")).encode() + b"\n").decode()


@metrics.log_metrics
@logger.inject_lambda_context
@event_source(data_class=KinesisFirehoseEvent)
def lambda_handler(event: KinesisFirehoseEvent, context: LambdaContext) -> dict[str, Any]:
    now = datetime.now(UTC)
    parsed: dict[str, Event | InvalidEvent] = {}
    received: dict[str, datetime] = {}
    raw: dict[str, bytes] = {}
    for record in event.records:
        raw[record.record_id] = record.data_as_bytes
        received[record.record_id] = datetime.fromtimestamp(record.approximate_arrival_timestamp / 1000, UTC)
        try:
            parsed[record.record_id] = parse_event(record.data_as_bytes, now)
        except InvalidEvent as exc:
            parsed[record.record_id] = exc
    firsts = deduplicator().first_appearances(
        Claim(item.event_id, record_id) for record_id, item in parsed.items() if isinstance(item, Event)
    )
    response = KinesisFirehoseDataTransformationResponse()
    counts = dict.fromkeys(("accepted", "duplicate", "dropped", "failed"), 0)
    for record_id, item in parsed.items():
        if isinstance(item, InvalidEvent):
            line = dropped_line(raw[record_id], received[record_id], str(item))
            counts["dropped"] += 1
        elif firsts[record_id] is None:
            response.add_record(KinesisFirehoseDataTransformationRecord(record_id, "ProcessingFailed"))
            counts["failed"] += 1
            continue
        else:
            status = "accepted" if firsts[record_id] else "duplicate"
            line = item.line(received[record_id], status)
            counts[status] += 1
        response.add_record(KinesisFirehoseDataTransformationRecord(record_id, "Ok", _encoded(line)))
    logger.info("Transformed a batch", extra={"records": len(parsed), **counts})
    for name, count in counts.items():
        metrics.add_metric(name=f"Events{name.title()}", unit=MetricUnit.Count, value=count)
    return response.asdict()
