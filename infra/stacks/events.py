"""Event sources on AWS, from the same `appsync.toml` the local runtime polls: queues with redrive, Kinesis
streams, SES senders, S3 notifications, and each function's triggers (EventSourceMappings with the same
settings, S3 notifications straight to a function, EventBridge rules)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from appdef import AppConfig
from appdef.events import DynamoDBStreamTrigger, KinesisTrigger, S3Trigger, ScheduleTrigger, SqsTrigger
from appdef.schedules import parse_schedule

from .functions import Resources
from .storage import pascal

_S3_EVENTS = {
    "s3:ObjectCreated:*": s3.EventType.OBJECT_CREATED,
    "s3:ObjectCreated:Put": s3.EventType.OBJECT_CREATED_PUT,
    "s3:ObjectCreated:Post": s3.EventType.OBJECT_CREATED_POST,
    "s3:ObjectCreated:Copy": s3.EventType.OBJECT_CREATED_COPY,
    "s3:ObjectCreated:CompleteMultipartUpload": s3.EventType.OBJECT_CREATED_COMPLETE_MULTIPART_UPLOAD,
    "s3:ObjectRemoved:*": s3.EventType.OBJECT_REMOVED,
    "s3:ObjectRemoved:Delete": s3.EventType.OBJECT_REMOVED_DELETE,
    "s3:ObjectRemoved:DeleteMarkerCreated": s3.EventType.OBJECT_REMOVED_DELETE_MARKER_CREATED,
}
_POSITIONS = {
    "TRIM_HORIZON": lambda_.StartingPosition.TRIM_HORIZON,
    "LATEST": lambda_.StartingPosition.LATEST,
}


def build_queues(scope: Construct, app: AppConfig) -> dict[str, sqs.Queue]:
    """Every queue (dead-letter queues first, then their sources with a redrive policy), by name."""
    queues: dict[str, sqs.Queue] = {}
    all_queues = app.all_queues()
    dead_letters = {q.dead_letter_queue for q in all_queues.values() if q.dead_letter_queue}
    for name in sorted(all_queues, key=lambda n: n not in dead_letters):
        queue = all_queues[name]
        redrive = None
        if queue.dead_letter is not None and queue.dead_letter_queue is not None:
            redrive = sqs.DeadLetterQueue(
                queue=queues[queue.dead_letter_queue], max_receive_count=queue.dead_letter.max_receive_count
            )
        queues[name] = sqs.Queue(
            scope,
            f"{pascal(name)}Queue",
            visibility_timeout=Duration.seconds(queue.visibility_timeout_seconds),
            retention_period=Duration.seconds(queue.message_retention_seconds),
            delivery_delay=Duration.seconds(queue.delay_seconds),
            dead_letter_queue=redrive,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
    return queues


def build_streams(scope: Construct, app: AppConfig) -> dict[str, kinesis.Stream]:
    """Every Kinesis data stream, encrypted with AWS's key."""
    return {
        name: kinesis.Stream(
            scope,
            f"{pascal(name)}Stream",
            stream_mode=kinesis.StreamMode.ON_DEMAND
            if stream.mode == "ON_DEMAND"
            else kinesis.StreamMode.PROVISIONED,
            shard_count=stream.shards if stream.mode == "PROVISIONED" else None,
            retention_period=Duration.hours(stream.retention_hours),
            encryption=kinesis.StreamEncryption.MANAGED,
            removal_policy=RemovalPolicy.RETAIN,
        )
        for name, stream in app.streams.items()
    }


def build_senders(scope: Construct, app: AppConfig) -> None:
    """An SES identity per sender (its owner confirms it from the e-mail SES sends on creation)."""
    for index, sender in enumerate(app.email.senders):
        ses.EmailIdentity(scope, f"Sender{index}", identity=ses.Identity.email(sender))


def build_bucket_notifications(app: AppConfig, resources: Resources) -> None:
    """Each `[[buckets.<name>.notifications]]`: S3 sends the events to the queue."""
    for name, bucket in app.buckets.items():
        for notification in bucket.notifications:
            for event in notification.events:
                resources.buckets[name].add_event_notification(
                    _S3_EVENTS[event],
                    s3n.SqsDestination(resources.queues[notification.queue]),
                    s3.NotificationKeyFilter(
                        prefix=notification.prefix or None, suffix=notification.suffix or None
                    ),
                )


def _filters(patterns: tuple[dict[str, Any], ...]) -> list[Mapping[str, Any]] | None:
    return [lambda_.FilterCriteria.filter(pattern) for pattern in patterns] or None


def build_triggers(
    scope: Construct, app: AppConfig, functions: dict[str, lambda_.Function], resources: Resources
) -> None:
    """Every function's triggers, with the settings `appsync.toml` gives them."""
    for name, function in app.functions.items():
        built = functions[name]
        for index, trigger in enumerate(function.triggers):
            if isinstance(trigger, SqsTrigger):
                built.add_event_source(
                    sources.SqsEventSource(
                        resources.queues[trigger.queue],
                        batch_size=trigger.batch_size,
                        max_batching_window=_window(trigger.batching_window_seconds),
                        report_batch_item_failures=trigger.report_batch_item_failures,
                        filters=_filters(trigger.filters),
                    )
                )
            elif isinstance(trigger, DynamoDBStreamTrigger | KinesisTrigger):
                built.add_event_source(_stream_source(trigger, resources))
            elif isinstance(trigger, S3Trigger):
                for event in trigger.events:
                    resources.buckets[trigger.bucket].add_event_notification(
                        _S3_EVENTS[event],
                        s3n.LambdaDestination(built),
                        s3.NotificationKeyFilter(
                            prefix=trigger.prefix or None, suffix=trigger.suffix or None
                        ),
                    )
                if trigger.on_failure is not None:
                    built.configure_async_invoke(
                        on_failure=destinations.SqsDestination(resources.queues[trigger.on_failure]),
                        retry_attempts=2,
                    )
            elif isinstance(trigger, ScheduleTrigger):
                parse_schedule(trigger.expression)  # refused before deploy, as the local runtime refuses it
                events.Rule(
                    scope,
                    f"{pascal(name)}Schedule{index}",
                    rule_name=None,
                    schedule=events.Schedule.expression(trigger.expression),
                    enabled=trigger.enabled,
                    targets=[targets.LambdaFunction(built, retry_attempts=2)],
                    description=f"{name}: {trigger.expression}",
                )


def _stream_source(
    trigger: DynamoDBStreamTrigger | KinesisTrigger, resources: Resources
) -> sources.DynamoEventSource | sources.KinesisEventSource:
    settings: dict[str, Any] = {
        "starting_position": _POSITIONS[trigger.starting_position],
        "batch_size": trigger.batch_size,
        "max_batching_window": _window(trigger.batching_window_seconds),
        "report_batch_item_failures": trigger.report_batch_item_failures,
        "retry_attempts": None if trigger.maximum_retry_attempts == -1 else trigger.maximum_retry_attempts,
        "bisect_batch_on_error": trigger.bisect_batch_on_error,
        "filters": _filters(trigger.filters),
    }
    if trigger.maximum_record_age_seconds != -1:
        settings["max_record_age"] = Duration.seconds(trigger.maximum_record_age_seconds)
    if trigger.on_failure is not None:
        settings["on_failure"] = sources.SqsDlq(resources.queues[trigger.on_failure])
    if isinstance(trigger, DynamoDBStreamTrigger):
        return sources.DynamoEventSource(resources.tables[trigger.table], **settings)
    return sources.KinesisEventSource(resources.streams[trigger.stream], **settings)


def _window(seconds: int) -> Duration | None:
    return Duration.seconds(seconds) if seconds else None
