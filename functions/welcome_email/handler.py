"""The welcome e-mail function: new users from the Users table's stream, one e-mail each, once.

Triggered by the stream with a filter on INSERT (appsync.toml); records are processed one by one and only
those that failed are reported (`batchItemFailures`), so a failure retries nothing already welcomed. Each
user is welcomed at most once (Powertools Idempotency keyed by the user's id): a redelivered record, a retried
batch or a replayed stream sends nothing twice.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBRecordEventName,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.welcome_email.bootstrap import services
from functions.welcome_email.domain.models import NewUser

# CloudWatch namespace of the app's metrics (EMF); dimension `service` tells the functions apart.
METRICS_NAMESPACE = "Blog"

logger = Logger(service="welcome-email")
tracer = Tracer(service="welcome-email")
metrics = Metrics(namespace=METRICS_NAMESPACE, service="welcome-email")
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)

METRIC_FOR_STATUS = {
    "SENT": "WelcomeEmailsSent",
    "NO_EMAIL": "WelcomeEmailsSkipped",
    "REJECTED": "WelcomeEmailsRejected",
}


def welcome(payload: dict[str, Any]) -> dict[str, Any]:
    """Welcome the user in ``payload`` (run once per user id; a repeat returns this first outcome)."""
    outcome = services().welcome.welcome(NewUser(**payload))
    metrics.add_metric(name=METRIC_FOR_STATUS[outcome.status], unit=MetricUnit.Count, value=1)
    return outcome.to_dict()


@tracer.capture_method
def record_handler(record: DynamoDBRecord) -> None:
    """Welcome the user a stream record inserted; a failure is logged and reported for a retry."""
    logger.set_correlation_id(record.event_id)
    try:
        welcome_new_user(record)
    except Exception:
        logger.exception("Welcoming the new user failed; the record will be retried")
        raise


def welcome_new_user(record: DynamoDBRecord) -> None:
    """Send the welcome of the user ``record`` inserted (records of other kinds are not for this function)."""
    if record.event_name != DynamoDBRecordEventName.INSERT or record.dynamodb is None:
        logger.info(
            "Not a new user; nothing to send",
            extra={"event_name": record.event_name.name if record.event_name else None},
        )
        return
    user = NewUser.from_item(record.dynamodb.new_image)
    if user is None:
        logger.warning("The inserted item has no user id; nothing to send")
        return
    outcome = services().once_per_user.wrap(welcome)(payload=user.to_dict())
    if outcome["status"] == "SENT":
        logger.info("Welcome e-mail sent", extra=outcome)
    elif outcome["status"] == "NO_EMAIL":
        logger.info("No welcome e-mail: the profile has no e-mail address", extra={"user_id": user.id})
    else:
        logger.warning("The mail service refused the recipient; not retried", extra=outcome)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    services().once_per_user.register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
