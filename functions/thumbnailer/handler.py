"""The thumbnailer function: S3 notifications of uploads under `originals/`, delivered through SQS.

For each upload it writes the thumbnails and then the manifest (READY, or FAILED with a short reason for an
upload that can never work). Messages are processed one by one and only those that failed are reported
(`batchItemFailures`): a failure to reach S3 raises, so SQS redelivers the message, and after 3 receives it
lands in the queue's dead-letter queue. Thumbnails have fixed keys, so doing one twice changes nothing.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.photo_layout import PhotoUpload
from functions.s3_notifications import S3ObjectEvent, s3_objects
from functions.thumbnailer.bootstrap import services

# CloudWatch namespace of the app's metrics (EMF); dimension `service` tells the functions apart.
METRICS_NAMESPACE = "Blog"

logger = Logger(service="thumbnailer")
tracer = Tracer(service="thumbnailer")
metrics = Metrics(namespace=METRICS_NAMESPACE, service="thumbnailer")
processor = BatchProcessor(event_type=EventType.SQS)


@tracer.capture_method
def record_handler(record: SQSRecord) -> None:
    """Thumbnail every upload the message's S3 event names; a failure is logged and the message retried."""
    logger.set_correlation_id(record.message_id)
    try:
        for s3_object in s3_objects(record):
            thumbnail(s3_object)
    except Exception:
        logger.exception("Making thumbnails failed; the message will be retried")
        raise


def thumbnail(s3_object: S3ObjectEvent) -> None:
    """Thumbnails and the manifest of one uploaded original."""
    upload = PhotoUpload.from_key(s3_object.key)
    bucket = services().settings.photos_bucket
    if upload is None or not s3_object.created or s3_object.bucket != bucket:
        logger.info("Not an upload of a post photo; ignored", extra={"key": s3_object.key})
        return
    manifest = services().thumbnails.make_thumbnails(upload)
    if manifest is None:
        logger.info("The upload no longer exists; nothing to do", extra={"key": upload.key})
    elif manifest.status == "READY":
        metrics.add_metric(name="ThumbnailsMade", unit=MetricUnit.Count, value=len(manifest.thumbnails))
        logger.info(
            "Thumbnails made", extra={"key": upload.key, "widths": [t.width for t in manifest.thumbnails]}
        )
    else:
        metrics.add_metric(name="PhotoUploadsRefused", unit=MetricUnit.Count, value=1)
        logger.warning("Upload refused", extra={"key": upload.key, "error": manifest.error})


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
