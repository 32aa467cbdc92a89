"""S3 event notifications, as S3 delivers them: to the queues `[[buckets.<name>.notifications]]` name, and to
the functions whose `type = "s3"` triggers name the bucket (an asynchronous invocation each).

The local S3 notifies one staging queue of every object created or removed in a bucket that has
notifications; this forwarder reads it, completes each record as S3 itself writes it (the key form-encoded
with `/` kept, the request, identity and sequencer fields), and routes it by event type, prefix and suffix.
When a bucket's notification configuration changes, each destination queue gets S3's `s3:TestEvent`.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from appdef import AppConfig
from appdef.events import S3Trigger

from .checkpoints import CheckpointStore
from .records import s3_record, s3_test_event


def staging_queue_name(app: str) -> str:
    """The internal queue the local S3 notifies for `app` (one per app, so two apps on one local AWS never
    read each other's events)."""
    return f"appsync-local-{app}-s3-events"[-80:]


WAIT_SECONDS = 1


@dataclass(frozen=True)
class Route:
    """One destination of a bucket's events: a queue (by URL) or a function (its async queue)."""

    bucket: str
    events: tuple[str, ...]
    prefix: str
    suffix: str
    configuration_id: str
    queue_url: str | None = None
    function: str | None = None

    def wants(self, event_name: str, key: str) -> bool:
        return (
            any(_event_matches(pattern, event_name) for pattern in self.events)
            and key.startswith(self.prefix)
            and key.endswith(self.suffix)
        )


def _event_matches(pattern: str, event_name: str) -> bool:
    """`s3:ObjectCreated:*` against a record's `ObjectCreated:Put`."""
    wanted = pattern.removeprefix("s3:")
    return wanted == event_name or (wanted.endswith(":*") and event_name.startswith(wanted[:-1]))


def routes(config: AppConfig, queue_urls: dict[str, str]) -> list[Route]:
    """Every destination the app declares for S3 events."""
    found: list[Route] = []
    for name, bucket in config.buckets.items():
        for index, notification in enumerate(bucket.notifications):
            found.append(
                Route(name, notification.events, notification.prefix, notification.suffix,
                      f"{name}-notification-{index}", queue_url=queue_urls[notification.queue])
            )  # fmt: skip
    for function_name, function in config.functions.items():
        for index, trigger in enumerate(function.triggers):
            if isinstance(trigger, S3Trigger):
                found.append(
                    Route(trigger.bucket, trigger.events, trigger.prefix, trigger.suffix,
                          f"{function_name}-s3-{index}", function=function_name)
                )  # fmt: skip
    return found


def configure_notifications(
    s3: Any, sqs: Any, staging_arn: str, routes_: Sequence[Route], checkpoints: CheckpointStore
) -> None:
    """Point each bucket with routes at the staging queue; send test events where the configuration changed."""
    for bucket in sorted({r.bucket for r in routes_}):
        s3.put_bucket_notification_configuration(
            Bucket=bucket,
            NotificationConfiguration={
                "QueueConfigurations": [
                    {"QueueArn": staging_arn, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}
                ]
            },
        )
        mine = sorted((r.configuration_id, r.events, r.prefix, r.suffix, r.queue_url or r.function or "")
                      for r in routes_ if r.bucket == bucket)  # fmt: skip
        digest = hashlib.sha256(json.dumps(mine).encode()).hexdigest()
        if checkpoints.get("s3-notifications").get(bucket) != digest:
            for route in routes_:
                if route.bucket == bucket and route.queue_url is not None:
                    sqs.send_message(QueueUrl=route.queue_url, MessageBody=json.dumps(s3_test_event(bucket)))
            checkpoints.update("s3-notifications", **{bucket: digest})


class S3EventForwarder:
    """Reads the staging queue and delivers each record to its destinations, then deletes it."""

    label = "s3"

    def __init__(
        self, *, sqs: Any, staging_url: str, routes: Sequence[Route], async_urls: dict[str, str]
    ) -> None:
        self._sqs = sqs
        self._staging = staging_url
        self._routes = list(routes)
        self._async_urls = async_urls
        self._sequence = 0

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            response = self._sqs.receive_message(
                QueueUrl=self._staging, MaxNumberOfMessages=10, WaitTimeSeconds=WAIT_SECONDS
            )
            for message in response.get("Messages", []):
                self.forward(json.loads(message["Body"]))
                self._sqs.delete_message(QueueUrl=self._staging, ReceiptHandle=message["ReceiptHandle"])

    def forward(self, event: dict[str, Any]) -> int:
        """Deliver one notification of the local S3; returns how many destinations received a record."""
        delivered = 0
        for raw in event.get("Records", []):  # the local S3's own test events have none
            bucket = raw["s3"]["bucket"]["name"]
            key = unquote_plus(raw["s3"]["object"]["key"])
            for route in self._routes:
                if route.bucket != bucket or not route.wants(raw["eventName"], key):
                    continue
                record = s3_record(raw, configuration_id=route.configuration_id, sequencer=self._sequencer())
                body = json.dumps({"Records": [record]})
                target = route.queue_url or self._async_urls[route.function or ""]
                self._sqs.send_message(QueueUrl=target, MessageBody=body)
                delivered += 1
        return delivered

    def _sequencer(self) -> str:
        # Hex, growing with every event (S3: compare right-padded, lexically, per key).
        self._sequence += 1
        return f"{time.time_ns():016X}{self._sequence % 0x10000:04X}"
