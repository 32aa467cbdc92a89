"""Create the queues (dead-letter queues first, then their sources with a redrive policy), Kinesis streams and
SES senders an app describes, when missing; existing ones keep their messages and records."""

from __future__ import annotations

import contextlib
import json
import logging
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from appsync_local.local_aws.endpoints import Endpoints, client
from appsync_local.local_aws.errors import LocalAwsError

if TYPE_CHECKING:
    import boto3

    from appdef import AppConfig, QueueConfig

logger = logging.getLogger("appsync_local")
_POLL_INTERVAL_SECONDS = 0.05


def queue_attributes(queue: QueueConfig, dead_letter_arn: str | None) -> dict[str, str]:
    """The CreateQueue attributes of `queue` (SQS takes them as strings)."""
    attributes = {
        "VisibilityTimeout": str(queue.visibility_timeout_seconds),
        "MessageRetentionPeriod": str(queue.message_retention_seconds),
        "DelaySeconds": str(queue.delay_seconds),
    }
    if dead_letter_arn is not None and queue.dead_letter is not None:
        attributes["RedrivePolicy"] = json.dumps(
            {"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": queue.dead_letter.max_receive_count}
        )
    return attributes


def queue_arn(sqs: Any, url: str, region: str) -> str:
    """The ARN of the queue at `url` (``…/<account>/<name>``, as SQS and the local SQS name queues), without a
    call; GetQueueAttributes for a URL of another shape."""
    parts = urlsplit(url).path.strip("/").split("/")
    if len(parts) == 2 and parts[0].isdigit() and parts[1]:
        return f"arn:aws:sqs:{region}:{parts[0]}:{parts[1]}"
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(attributes["Attributes"]["QueueArn"])


def provision_queues(config: AppConfig, sqs: Any) -> dict[str, str]:
    """Every queue of the app, dead-letter queues first; returns queue name -> URL."""
    queues = config.all_queues()
    urls: dict[str, str] = {}
    dead_letters = {q.dead_letter_queue for q in queues.values() if q.dead_letter_queue}
    for name in sorted(queues, key=lambda n: n not in dead_letters):
        queue = queues[name]
        target = queue.dead_letter_queue
        target_arn = queue_arn(sqs, urls[target], config.api.region) if target else None
        attributes = queue_attributes(queue, target_arn)
        try:
            urls[name] = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        except sqs.exceptions.QueueNameExists:  # it exists with other attributes: they are set
            urls[name] = sqs.get_queue_url(QueueName=name)["QueueUrl"]
            sqs.set_queue_attributes(QueueUrl=urls[name], Attributes=attributes)
    return urls


def provision_streams(config: AppConfig, kinesis: Any, timeout: float = 30) -> None:
    """Every Kinesis stream, created with its shard count when missing, and ACTIVE before this returns.

    A stream kept from an earlier run (the local Kinesis is persistent) keeps its records and its shards.
    """
    deadline = time.monotonic() + timeout
    for name, stream in config.streams.items():
        try:
            summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        except kinesis.exceptions.ResourceNotFoundException:
            with contextlib.suppress(kinesis.exceptions.ResourceInUseException):  # created meanwhile
                kinesis.create_stream(StreamName=name, ShardCount=stream.shards)
        else:
            if summary.get("OpenShardCount", stream.shards) != stream.shards:
                # kinesalite cannot reshard (no UpdateShardCount); recreating the stream would lose its records.
                logger.warning(
                    "Kinesis stream %s keeps its %d shards from an earlier run (appsync.toml asks for %d); "
                    "delete the data folder's kinesis/ to recreate it, records and all.",
                    name,
                    summary["OpenShardCount"],
                    stream.shards,
                )
        _wait_until_active(kinesis, name, deadline)


def _wait_until_active(kinesis: Any, name: str, deadline: float) -> None:
    while (
        kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"]
        != "ACTIVE"
    ):
        if time.monotonic() >= deadline:
            raise LocalAwsError(f"Kinesis stream {name} did not become ACTIVE in time")
        time.sleep(_POLL_INTERVAL_SECONDS)


def provision_senders(config: AppConfig, ses: Any) -> None:
    """Verify the e-mail senders (locally anyone can be verified; on AWS the owner confirms by e-mail)."""
    for sender in config.email.senders:
        ses.verify_email_identity(EmailAddress=sender)


def provision_events(config: AppConfig, session: boto3.Session, endpoints: Endpoints) -> dict[str, str]:
    """Queues, streams and senders; returns the queues' URLs by name."""
    urls = provision_queues(config, client(session, "sqs", endpoints.moto))
    if config.streams:
        if not endpoints.kinesis:
            raise LocalAwsError(
                f"the app has Kinesis streams ({', '.join(config.streams)}) but no local Kinesis runs"
            )
        provision_streams(config, client(session, "kinesis", endpoints.kinesis))
    if config.email.senders:
        provision_senders(config, client(session, "ses", endpoints.moto))
    return urls
