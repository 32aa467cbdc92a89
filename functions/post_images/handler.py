"""The post-images function: S3 notifications of thumbnail manifests, delivered through SQS.

Each manifest becomes its post's image through the API's `attachPostImage` (IAM-signed), which records it only
while the post still awaits that upload; `onUpdatePost` subscribers then see the post with its thumbnails.
A manifest the post no longer wants (it got another photo since, or was deleted) is acknowledged, not
retried; a failure to reach S3 or the API raises, so SQS redelivers the message (the DLQ after 3 receives).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.photo_layout import is_manifest_key
from functions.post_images.bootstrap import services
from functions.s3_notifications import S3ObjectEvent, s3_objects

# CloudWatch namespace of the app's metrics (EMF); dimension `service` tells the functions apart.
METRICS_NAMESPACE = "Blog"

logger = Logger(service="post-images")
tracer = Tracer(service="post-images")
metrics = Metrics(namespace=METRICS_NAMESPACE, service="post-images")
processor = BatchProcessor(event_type=EventType.SQS)


@tracer.capture_method
def record_handler(record: SQSRecord) -> None:
    """Attach every manifest the message's S3 event names; a failure is logged and the message retried."""
    logger.set_correlation_id(record.message_id)
    try:
        for s3_object in s3_objects(record):
            attach(s3_object)
    except Exception:
        logger.exception("Attaching the post image failed; the message will be retried")
        raise


def attach(s3_object: S3ObjectEvent) -> None:
    """Give a manifest's post its image."""
    bucket = services().settings.photos_bucket
    if not is_manifest_key(s3_object.key) or not s3_object.created or s3_object.bucket != bucket:
        logger.info("Not a thumbnail manifest; ignored", extra={"key": s3_object.key})
        return
    outcome = services().post_images.attach(s3_object.key)
    details = {"key": s3_object.key, "outcome": outcome.status}
    if outcome.image is not None:
        details |= {"post_id": outcome.image.post_id, "image_status": outcome.image.status}
    if outcome.status == "ATTACHED":
        metrics.add_metric(name="PostImagesAttached", unit=MetricUnit.Count, value=1)
        logger.info("Post image attached", extra=details)
    else:
        metrics.add_metric(name="PostImagesStale", unit=MetricUnit.Count, value=1)
        logger.info("The post no longer awaits this upload; acknowledged", extra=details)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
