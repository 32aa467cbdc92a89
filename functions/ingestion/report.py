"""The batch report: each object Firehose delivers becomes a report per source, live on `onIngestionResult`.

S3 notifies the raw bucket's new objects to a queue; this function reads it in batches (partial failures:
only the messages that failed come back). For a raw object it runs `queries/batch_summary.sql` in Athena over
that object alone (its hour partition and `"$path"`), copies Athena's CSV into the reports bucket, records a
report per source and publishes each. An error object (records the transform could not process) becomes a
FAILED report counting them. Each object is reported once (Powertools Idempotency on its bucket and key): a
redelivered message, or the notification of an object rewritten after a crash, does nothing twice.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.ingestion import reports
from functions.ingestion.athena import run_query
from functions.ingestion.events import identify
from functions.ingestion.layout import DeliveredObject, batch_report_key, delivered_object
from functions.ingestion.queries import query
from functions.ingestion.settings import aws, required
from functions.s3_notifications import s3_objects

METRICS_NAMESPACE = "Ingestion"
REMEMBER_SECONDS = 7 * 24 * 3600

logger = Logger(service="ingest-report")
metrics = Metrics(namespace=METRICS_NAMESPACE, service="ingest-report")
processor = BatchProcessor(event_type=EventType.SQS)
_idempotency = IdempotencyConfig(event_key_jmespath="[bucket, key]", expires_after_seconds=REMEMBER_SECONDS)
_persistence: DynamoDBPersistenceLayer | None = None
# The records' key, `<prefix>#<hash>`: named here, not taken from AWS_LAMBDA_FUNCTION_NAME (Powertools'
# default), which deployed is a generated name that changes when the function is replaced.
IDEMPOTENCY_KEY_PREFIX = "ingest-report.report"


def persistence() -> DynamoDBPersistenceLayer:
    global _persistence
    if _persistence is None:
        _persistence = DynamoDBPersistenceLayer(
            table_name=required("IDEMPOTENCY_TABLE"), boto3_client=aws("dynamodb")
        )
    return _persistence


def record_handler(record: SQSRecord) -> None:
    logger.set_correlation_id(record.message_id)
    for s3_object in s3_objects(record):
        delivered = delivered_object(s3_object.bucket, s3_object.key)
        if delivered is None or not s3_object.created:
            logger.info("Not an object Firehose delivered; ignored", extra={"key": s3_object.key})
            continue
        try:
            report_once(delivered={"bucket": delivered.bucket, "key": delivered.key})
        except Exception:
            logger.exception("Reporting failed; the message will be retried", extra={"key": delivered.key})
            raise


def report_once(delivered: dict[str, str]) -> dict[str, Any]:
    """Report one delivered object, once per bucket and key."""
    wrapped = idempotent_function(
        _report,
        data_keyword_argument="delivered",
        persistence_store=persistence(),
        config=_idempotency,
        key_prefix=IDEMPOTENCY_KEY_PREFIX,
    )
    result: dict[str, Any] = wrapped(delivered=delivered)
    return result


def _report(delivered: dict[str, str]) -> dict[str, Any]:
    found = delivered_object(delivered["bucket"], delivered["key"])
    assert found is not None  # checked by the caller
    made = _failed_reports(found) if found.failed else _batch_reports(found)
    graphql_url = required("GRAPHQL_URL")
    for report in made.values():
        reports.save(required("REPORTS_TABLE"), report)
        reports.publish(report, graphql_url)
        metrics.add_metric(name="ReportsPublished", unit=MetricUnit.Count, value=1)
    logger.info(
        "Reported a batch",
        extra={
            "key": found.key,
            "sources": sorted(made),
            "records": sum(r.record_count for r in made.values()),
        },
    )
    return {"reports": sorted(r.id for r in made.values())}


def _batch_reports(delivered: DeliveredObject) -> dict[str, reports.SourceReport]:
    result = run_query(
        query("batch_summary"),
        [delivered.hour, delivered.uri],
        workgroup=required("ATHENA_WORKGROUP"),
        database=required("ATHENA_DATABASE"),
    )
    location = reports.copy_csv(
        result.output_location,
        required("REPORTS_BUCKET"),
        batch_report_key(delivered.hour, delivered.batch_id),
    )
    made = reports.by_source(
        result.rows,
        lambda source: reports.SourceReport("BATCH", source, location, batch_id=delivered.batch_id),
    )
    for report in made.values():
        for row in report.rows:
            report.accepted += int(row.get("accepted") or 0)
            report.duplicates += int(row.get("duplicates") or 0)
            report.dropped += int(row.get("dropped") or 0)
    return made


def _failed_reports(delivered: DeliveredObject) -> dict[str, reports.SourceReport]:
    """An error object: one JSON line per record Firehose could not transform, the record in `rawData`."""
    body = aws("s3").get_object(Bucket=delivered.bucket, Key=delivered.key)["Body"].read()
    failures: Counter[tuple[str, str]] = Counter()
    for line in body.splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        raw = base64.b64decode(entry.get("rawData", ""))
        _, source = identify(raw)
        failures[(source, str(entry.get("errorCode", "")))] += 1
    made: dict[str, reports.SourceReport] = {}
    for (source, code), count in sorted(failures.items()):
        report = made.setdefault(
            source, reports.SourceReport("BATCH", source, delivered.uri, batch_id=delivered.batch_id)
        )
        report.failed += count
        report.rows.append({"source": source, "errorCode": code, "failed": count})
    return made


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    _idempotency.register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
