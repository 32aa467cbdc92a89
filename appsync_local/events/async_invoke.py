"""Asynchronous invocations (S3 events straight to a function, EventBridge schedules), with Lambda's retries.

Each function invoked asynchronously has an internal queue of pending events (so they survive a restart
with the other queues). Lambda's rules (async invocation): a failed invocation is retried twice, after about
one and then two minutes; after the third failure the event goes to the trigger's `on_failure` queue as an
invocation record, or is dropped with a warning.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from .delivery import Invoker

logger = logging.getLogger("appsync_local.events")

ATTEMPTS = 3
RETRY_DELAYS_SECONDS = (60, 120)
WAIT_SECONDS = 1


def async_queue_name(app: str, function: str) -> str:
    """The internal queue of `function`'s pending asynchronous invocations."""
    return f"appsync-local-{app}-async-{function}"[-80:]


class AsyncInvoker:
    """Invokes one function with the events of its internal queue, one at a time.

    Parameters
    ----------
    function
        The function's name.
    sqs, queue_url
        Its internal queue.
    invoker
        Invokes the function and logs each delivery.
    send_failure
        Sends a record to an on-failure queue: (queue name, record).
    on_failure
        The on-failure queue for events that failed every attempt (None: drop them).
    retry_delays
        Seconds before the second and third attempts (Lambda's: about 60 and 120).
    """

    def __init__(
        self,
        *,
        function: str,
        sqs: Any,
        queue_url: str,
        invoker: Invoker,
        send_failure: Callable[[str, dict[str, Any]], None],
        on_failure: str | None = None,
        retry_delays: Sequence[int] = RETRY_DELAYS_SECONDS,
    ) -> None:
        self.function = function
        self._sqs = sqs
        self._url = queue_url
        self._invoker = invoker
        self._send_failure = send_failure
        self._on_failure = on_failure
        self._delays = tuple(retry_delays)
        self.label = f"async:{function}"

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            response = self._sqs.receive_message(
                QueueUrl=self._url, MaxNumberOfMessages=1, WaitTimeSeconds=WAIT_SECONDS,
                MessageSystemAttributeNames=["ApproximateReceiveCount"],
            )  # fmt: skip
            for message in response.get("Messages", []):
                self.handle(message)

    def handle(self, message: dict[str, Any]) -> None:
        event = json.loads(message["Body"])
        attempt = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "1"))
        source = _source_of(event)
        outcome = self._invoker.invoke(
            self.function, event, source=source, identifiers=[message["MessageId"]], report_failures=False
        )
        if outcome.ok:
            self._delete(message)
            return
        if attempt < ATTEMPTS:
            delay = self._delays[min(attempt - 1, len(self._delays) - 1)]
            self._sqs.change_message_visibility(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"],
                                                VisibilityTimeout=delay)  # fmt: skip
            return
        logger.warning("%s -> %s: dropping an event after %d attempts", source, self.function, attempt)
        if self._on_failure is not None:
            self._send_failure(self._on_failure, self._failure_record(event, attempt, outcome.error))
        self._delete(message)

    def _delete(self, message: dict[str, Any]) -> None:
        self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"])

    def _failure_record(self, event: Any, attempts: int, error: str | None) -> dict[str, Any]:
        error_type, _, error_message = (error or "Error: failed").partition(": ")
        return {
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": f"arn:aws:lambda:local:000000000000:function:{self.function}:$LATEST",
                "condition": "RetriesExhausted",
                "approximateInvokeCount": attempts,
            },
            "requestPayload": event,
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled",
            },
            "responsePayload": {"errorType": error_type, "errorMessage": error_message},
        }


def _source_of(event: Any) -> str:
    if isinstance(event, dict) and event.get("source") == "aws.events":
        return f"schedule:{event.get('resources', ['rule/?'])[0].rsplit('/', 1)[-1]}"
    records = event.get("Records") if isinstance(event, dict) else None
    if records and isinstance(records, list):
        return f"s3:{records[0].get('s3', {}).get('bucket', {}).get('name', '?')}"
    return "async"
