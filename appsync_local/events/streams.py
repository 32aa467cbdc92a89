"""Stream event source mappings (DynamoDB Streams, Kinesis), run locally as Lambda runs them.

Per shard, in order: records are read in batches (up to `batch_size`, within the batching window), filtered
(unmatched records are skipped), and delivered; the checkpoint, kept on disk, advances only past what
succeeded. A failing batch blocks its shard and is retried (ddb-errors): halved first when
`bisect_batch_on_error` is set (without spending retries), then retried until `maximum_retry_attempts` or
`maximum_record_age_seconds` run out (-1: until it succeeds), when its metadata goes to the `on_failure`
queue and the shard moves on. With `report_batch_item_failures`, the handler's `batchItemFailures` name the
first failed record; the checkpoint stops just before it and the retry starts there (ddb-partial).

`starting_position = "LATEST"` skips what the shard held when the mapping was first started; the position
is then checkpointed like any other, so records written while the runtime was stopped are still delivered.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from appdef.events import DynamoDBStreamTrigger, KinesisTrigger

from .checkpoints import CheckpointStore
from .delivery import Invoker
from .filters import RecordFilter


class IteratorExpired(Exception):
    """The shard iterator can no longer be used; a new one is taken from the checkpoint."""


logger = logging.getLogger("appsync_local.events")

IDLE_POLL_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 30.0
MAX_RECORDS_PER_READ = 1000  # DynamoDB Streams' GetRecords limit


@dataclass(frozen=True)
class Shard:
    id: str
    parent: str | None = None


class ShardSource(Protocol):
    """A stream's shards and records (DynamoDB Streams or Kinesis), and Lambda's shape of a record."""

    label: str  # "dynamodb:Users", "kinesis:events": how delivery log lines name the source
    batch_info_key: str  # the on-failure record's key: "DDBStreamBatchInfo" | "KinesisBatchInfo"
    arn: str

    def shards(self) -> list[Shard]: ...
    def iterator(self, shard: str, after: str | None) -> str | None: ...
    def read(self, iterator: str, limit: int) -> tuple[list[dict[str, Any]], str | None]: ...
    def to_lambda(self, raw: dict[str, Any], shard: str) -> dict[str, Any]: ...
    def sequence(self, raw: dict[str, Any]) -> str: ...
    def arrival(self, raw: dict[str, Any]) -> float: ...


StreamTrigger = DynamoDBStreamTrigger | KinesisTrigger


def last_sequence(source: ShardSource, shard: str) -> str | None:
    """The sequence number of the last record `shard` holds now (None when it holds none): where a reader
    starting at LATEST stands."""
    iterator, last = source.iterator(shard, None), None
    while iterator:
        raws, iterator = source.read(iterator, MAX_RECORDS_PER_READ)
        if not raws:
            break
        last = source.sequence(raws[-1])
    return last


class StreamMapping:
    """One function reading one stream.

    Parameters
    ----------
    function
        The function's name in `appsync.toml`.
    trigger
        Its stream trigger.
    source
        The stream.
    invoker
        Invokes the function and logs each delivery.
    checkpoints
        Where each shard's last processed sequence number is kept.
    mapping_id
        The checkpoint's key (stable across restarts).
    send_failure
        Sends an on-failure record to the trigger's `on_failure` queue.
    """

    def __init__(
        self,
        *,
        function: str,
        trigger: StreamTrigger,
        source: ShardSource,
        invoker: Invoker,
        checkpoints: CheckpointStore,
        mapping_id: str,
        send_failure: Callable[[str, dict[str, Any]], None],
    ) -> None:
        self.function = function
        self.trigger = trigger
        self._source = source
        self._invoker = invoker
        self._checkpoints = checkpoints
        self._id = mapping_id
        self._send_failure = send_failure
        self._filter = RecordFilter(trigger.filters)
        self._iterators: dict[str, str | None] = {}
        self._finished: set[str] = set()
        self.label = source.label

    # -- positions ------------------------------------------------------------------------------------

    def _checkpoint(self, shard: str) -> str | None:
        return self._checkpoints.get(self._id).get("shards", {}).get(shard)

    def _advance(self, shard: str, sequence: str) -> None:
        shards = dict(self._checkpoints.get(self._id).get("shards", {}))
        shards[shard] = sequence
        self._checkpoints.update(self._id, shards=shards)

    def start(self) -> None:
        """On the mapping's first start with LATEST, mark what the stream already holds as read."""
        state = self._checkpoints.get(self._id)
        if state.get("started"):
            return
        if self.trigger.starting_position == "LATEST":
            for shard in self._source.shards():
                last = last_sequence(self._source, shard.id)
                if last is not None:
                    self._advance(shard.id, last)
        self._checkpoints.update(self._id, started=datetime.now(UTC).isoformat())

    # -- polling --------------------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Read every shard (parents before children) until `stop` is set."""
        while not stop.is_set():
            delivered = False
            shards = self._source.shards()
            done = {s.id for s in shards if s.id in self._finished}
            for shard in shards:
                if shard.id in done or (
                    shard.parent and shard.parent not in done and _known(shard.parent, shards)
                ):
                    continue
                delivered |= self._poll_shard(shard.id, stop)
                if stop.is_set():
                    return
            if not delivered:
                stop.wait(IDLE_POLL_SECONDS)

    def _poll_shard(self, shard: str, stop: threading.Event) -> bool:
        if shard not in self._iterators:
            self._iterators[shard] = self._source.iterator(shard, self._checkpoint(shard))
        batch: list[dict[str, Any]] = []
        deadline = time.monotonic() + self.trigger.batching_window_seconds
        while len(batch) < self.trigger.batch_size:
            iterator = self._iterators[shard]
            if iterator is None:
                self._finished.add(shard)
                break
            try:
                raws, self._iterators[shard] = self._source.read(
                    iterator, self.trigger.batch_size - len(batch)
                )
            except IteratorExpired:
                # Taken again from the checkpoint on the next poll; records read so far are read again then.
                del self._iterators[shard]
                return False
            batch.extend(raws)
            if not raws and (time.monotonic() >= deadline or stop.wait(min(IDLE_POLL_SECONDS, 0.05))):
                break
            if time.monotonic() >= deadline and batch:
                break
        if not batch:
            return False
        self._process(shard, batch, stop)
        return True

    def _process(self, shard: str, raws: list[dict[str, Any]], stop: threading.Event) -> None:
        """Deliver `raws` (in order) until they all succeeded or were given up on; then checkpoint past them."""
        fresh = [r for r in raws if not self._too_old(r)]
        if len(fresh) < len(raws):
            self._give_up(shard, [r for r in raws if r not in fresh], invocations=0, exhausted=False)
        records = [(raw, self._source.to_lambda(raw, shard)) for raw in fresh]
        matching = [(raw, record) for raw, record in records if self._filter.matches(record)]
        if matching:
            self._deliver(shard, matching, stop, attempts=0)
        self._advance(shard, self._source.sequence(raws[-1]))

    def _deliver(
        self,
        shard: str,
        batch: Sequence[tuple[dict[str, Any], dict[str, Any]]],
        stop: threading.Event,
        attempts: int,
    ) -> None:
        while batch and not stop.is_set():
            sequences = [self._source.sequence(raw) for raw, _ in batch]
            outcome = self._invoker.invoke(
                self.function,
                {"Records": [record for _, record in batch]},
                source=self.label,
                identifiers=sequences,
                report_failures=self.trigger.report_batch_item_failures,
            )
            if outcome.ok:
                return
            if outcome.whole_batch_failed and self.trigger.bisect_batch_on_error and len(batch) > 1:
                middle = len(batch) // 2
                self._deliver(shard, batch[:middle], stop, attempts)
                self._deliver(shard, batch[middle:], stop, attempts)
                return
            first_failed = min(sequences.index(s) for s in outcome.failed)
            if first_failed:
                self._advance(shard, sequences[first_failed - 1])
            batch = batch[first_failed:]
            attempts += 1
            limit = self.trigger.maximum_retry_attempts
            exhausted = limit != -1 and attempts > limit
            if exhausted or all(self._too_old(raw) for raw, _ in batch):
                self._give_up(shard, [raw for raw, _ in batch], invocations=attempts, exhausted=exhausted)
                return
            stop.wait(min(MAX_BACKOFF_SECONDS, 0.5 * 2 ** (attempts - 1)))

    def _too_old(self, raw: dict[str, Any]) -> bool:
        age = self.trigger.maximum_record_age_seconds
        return age != -1 and time.time() - self._source.arrival(raw) > age

    def _give_up(self, shard: str, raws: list[dict[str, Any]], *, invocations: int, exhausted: bool) -> None:
        """Skip records, sending their metadata (not the data) to the on-failure destination: after
        `invocations` failed invocations, because the retries are `exhausted` or else the records too old."""
        if not raws:
            return
        logger.warning(
            "%s -> %s: giving up on %d record(s) of %s after %d invocation(s)", self.label, self.function,
            len(raws), shard, invocations,
        )  # fmt: skip
        if self.trigger.on_failure is not None:
            record = self._failure_record(shard, raws, invocations, exhausted)
            self._send_failure(self.trigger.on_failure, record)

    def _failure_record(
        self, shard: str, raws: list[dict[str, Any]], invocations: int, exhausted: bool
    ) -> dict[str, Any]:
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        return {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": f"arn:aws:lambda:local:000000000000:function:{self.function}",
                "condition": "RetryAttemptsExhausted" if exhausted else "RecordAgeExceeded",
                "approximateInvokeCount": invocations,
            },
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled",
            },
            "version": "1.0",
            "timestamp": now,
            self._source.batch_info_key: {
                "shardId": shard,
                "startSequenceNumber": self._source.sequence(raws[0]),
                "endSequenceNumber": self._source.sequence(raws[-1]),
                "approximateArrivalOfFirstRecord": _iso(self._source.arrival(raws[0])),
                "approximateArrivalOfLastRecord": _iso(self._source.arrival(raws[-1])),
                "batchSize": len(raws),
                "streamArn": self._source.arn,
            },
        }


def _known(shard_id: str, shards: list[Shard]) -> bool:
    return any(s.id == shard_id for s in shards)


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


def failure_body(record: dict[str, Any]) -> str:
    return json.dumps(record, separators=(",", ":"))
