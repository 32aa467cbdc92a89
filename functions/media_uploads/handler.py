"""The media uploads function: S3 notifications of uploads under `media/`, delivered through SQS.

Each upload an item awaits becomes its file (READY, with its type, size and, for an image, a poster) or is
refused (FAILED, with a short reason). Any other object (an older upload, an item deleted since, a key that is
no upload) is ignored with a log line. Messages are processed one by one and only those that failed are
reported (`batchItemFailures`): a failure to reach S3 or DynamoDB raises, so SQS redelivers the message, and
after 3 receives it lands in the queue's dead-letter queue.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.media_layout import MediaUpload
from functions.media_uploads.bootstrap import services
from functions.s3_notifications import S3ObjectEvent, s3_objects

# CloudWatch namespace of the media metrics (EMF).
METRICS_NAMESPACE = "Media"

logger = Logger(service="media-uploads")
tracer = Tracer(service="media-uploads")
metrics = Metrics(namespace=METRICS_NAMESPACE, service="media-uploads")
processor = BatchProcessor(event_type=EventType.SQS)


@tracer.capture_method
def record_handler(record: SQSRecord) -> None:
    """Record every upload the message's S3 event names; a failure is logged and the message retried."""
    logger.set_correlation_id(record.message_id)
    try:
        for s3_object in s3_objects(record):
            record_upload(s3_object)
    except Exception:
        logger.exception("Recording a media upload failed; the message will be retried")
        raise


def record_upload(s3_object: S3ObjectEvent) -> None:
    """Check one uploaded object and record what became of it on its media item."""
    upload = MediaUpload.from_key(s3_object.key)
    if upload is None or not s3_object.created or s3_object.bucket != services().settings.media_bucket:
        logger.info("Not an upload of a media file; ignored", extra={"key": s3_object.key})
        return
    result = services().uploads.record(upload)
    details = {"key": upload.key, "mediaId": upload.media_id}
    if result.outcome == "READY":
        metrics.add_metric(name="MediaUploadsReady", unit=MetricUnit.Count, value=1)
        logger.info("Media file ready", extra={**details, "poster": result.poster_key})
    elif result.outcome == "FAILED":
        metrics.add_metric(name="MediaUploadsRefused", unit=MetricUnit.Count, value=1)
        logger.warning("Media upload refused", extra={**details, "reason": result.reason})
    else:
        metrics.add_metric(name="MediaUploadsIgnored", unit=MetricUnit.Count, value=1)
        logger.info("Media upload ignored", extra={**details, "reason": result.reason})


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
