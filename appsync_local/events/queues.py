"""An SQS event source mapping, run locally as Lambda runs it (with-sqs, sqs-errors, sqs-filter).

The mapping long-polls the queue, gathers up to `batch_size` messages within the batching window, drops (and
deletes) those no filter matches, invokes the function once with the rest, and deletes what succeeded. What
failed stays in flight until the queue's visibility timeout, then comes back with a higher receive count;
SQS's own redrive policy moves it to the dead-letter queue after `max_receive_count` receives.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from appdef.events import SqsTrigger

from .delivery import Invoker
from .filters import RecordFilter
from .records import sqs_record

# Long polls are short so that stopping the runtime never waits long for a poll to end.
WAIT_SECONDS = 1
MAX_PER_RECEIVE = 10


class QueueMapping:
    """Polls one queue for one function.

    Parameters
    ----------
    function
        The function's name in `appsync.toml`.
    trigger
        The function's `type = "sqs"` trigger.
    sqs
        A boto3 SQS client on the local AWS.
    queue_url, queue_arn
        The queue, as SQS names it.
    invoker
        Invokes the function and logs each delivery.
    region
        The region records name.
    """

    def __init__(
        self,
        *,
        function: str,
        trigger: SqsTrigger,
        sqs: Any,
        queue_url: str,
        queue_arn: str,
        invoker: Invoker,
        region: str,
    ) -> None:
        self.function = function
        self.trigger = trigger
        self._sqs = sqs
        self._url = queue_url
        self._arn = queue_arn
        self._invoker = invoker
        self._region = region
        self._filter = RecordFilter(trigger.filters)
        self.label = f"sqs:{trigger.queue}"

    def run(self, stop: threading.Event) -> None:
        """Poll until `stop` is set; messages received but not yet delivered are released on the way out."""
        while not stop.is_set():
            batch = self._collect(stop)
            if stop.is_set():
                self._release(batch)
                return
            if batch:
                self.deliver(batch)

    def deliver(self, messages: list[dict[str, Any]]) -> None:
        """One invocation with `messages` (ReceiveMessage's form); deletes the delivered and the filtered out."""
        records = [sqs_record(m, region=self._region, queue_arn=self._arn) for m in messages]
        matching = [r for r in records if self._filter.matches(r)]
        dropped = [r for r in records if r not in matching]
        self._delete(dropped)  # Lambda deletes what no filter matches
        if not matching:
            return
        outcome = self._invoker.invoke(
            self.function,
            {"Records": matching},
            source=self.label,
            identifiers=[r["messageId"] for r in matching],
            report_failures=self.trigger.report_batch_item_failures,
        )
        self._delete([r for r in matching if r["messageId"] not in outcome.failed])

    def _collect(self, stop: threading.Event) -> list[dict[str, Any]]:
        batch: list[dict[str, Any]] = []
        deadline = time.monotonic() + self.trigger.batching_window_seconds
        while len(batch) < self.trigger.batch_size and not stop.is_set():
            wait = WAIT_SECONDS if not batch else max(0, min(WAIT_SECONDS, deadline - time.monotonic()))
            response = self._sqs.receive_message(
                QueueUrl=self._url,
                MaxNumberOfMessages=min(MAX_PER_RECEIVE, self.trigger.batch_size - len(batch)),
                WaitTimeSeconds=int(wait),
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            batch.extend(response.get("Messages", []))
            if batch and time.monotonic() >= deadline:
                break
        return batch

    def _delete(self, records: list[dict[str, Any]]) -> None:
        for start in range(0, len(records), MAX_PER_RECEIVE):
            chunk = records[start : start + MAX_PER_RECEIVE]
            self._sqs.delete_message_batch(
                QueueUrl=self._url,
                Entries=[{"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(chunk)],
            )

    def _release(self, messages: list[dict[str, Any]]) -> None:
        """Received but never delivered: visible again at once, for the next start to deliver."""
        for message in messages:
            self._sqs.change_message_visibility(
                QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
