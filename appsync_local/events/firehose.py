"""Firehose delivery streams, run locally: a Kinesis stream's records buffered, transformed and written to S3
as Firehose writes them (D13).

Every shard is read from TRIM_HORIZON, after the checkpoint. Records are buffered until the buffer holds
`buffer_size_mb` of data or its first record has waited `buffer_interval_seconds` (the local value of
`[local.delivery_streams.<name>]` when set), whichever comes first. A delivery then:
1. notes its records' range per shard (the pending delivery, kept with the checkpoints);
2. invokes the transform, when there is one, with Firehose's event (`firehose_transform`);
3. writes the Ok data, concatenated as returned, into one object
   `<prefix><stream>-1-<yyyy-MM-dd-HH-mm-ss>-<uuid>[.gz]`, and the failed records, one JSON line each, into
   one object under the error output prefix; the time is the oldest record's arrival (UTC), and the uuid
   is derived from the stream and the range, so a delivery done again after a crash overwrites its own
   objects instead of adding copies;
4. moves the checkpoint past the range.
A restart first does the pending delivery again, exactly (at-least-once, like Firehose, without duplicate
objects). Stopping completes the delivery under way or, while its transform waits to retry, leaves it for
the restart. Objects are put through the local S3, so bucket notifications fire as for any upload.
"""

from __future__ import annotations

import gzip
import json
import logging
import random
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from appdef.delivery_streams import DeliveryStreamConfig

from .checkpoints import CheckpointStore
from .firehose_transform import (
    MIB,
    LambdaProcessor,
    Outcome,
    SourceRecord,
    failed_record_line,
    now_ms,
)
from .records import ACCOUNT_ID
from .stream_sources import KinesisSource
from .streams import IteratorExpired, last_sequence

logger = logging.getLogger("appsync_local.events")

IDLE_POLL_SECONDS = 0.2
READ_LIMIT = 1000
RETRY_DELAY_SECONDS = 1.0  # between a transform's attempts (Firehose documents no cadence)
STREAM_VERSION = 1  # <DeliveryStreamVersion>: 1 until the deployed stream's configuration changes
_KEYS = uuid.UUID("5d1f6a52-3c1e-4b7e-9a55-6b0f7f3f2c11")  # the namespace of object uuids


@dataclass
class DeliveryStats:
    """What a delivery stream has done since the runtime started."""

    records_in: int = 0
    ok: int = 0
    dropped: int = 0
    processing_failed: int = 0
    objects_written: int = 0
    deliveries: int = 0
    last_delivery: datetime | None = None
    last_objects: list[str] = field(default_factory=list)


def object_name(stream: str, moment: datetime, unique: str, extension: str = "") -> str:
    """Firehose's object name after the prefix: `<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><ext>`."""
    return f"{stream}-{STREAM_VERSION}-{moment:%Y-%m-%d-%H-%M-%S}-{unique}{extension}"


def delivery_uuid(stream: str, ranges: dict[str, tuple[str, str]], kind: str) -> str:
    """The uuid of a delivery's object: the same for the same stream, records and kind of output."""
    identity = json.dumps([stream, kind, sorted(ranges.items())], separators=(",", ":"))
    return str(uuid.uuid5(_KEYS, identity))


class DeliveryStream:
    """One delivery stream: reads its Kinesis stream, buffers, transforms, writes to S3.

    Parameters
    ----------
    config
        The stream, with its local buffering applied (`AppConfig.local_delivery_streams`).
    source
        The Kinesis stream it reads.
    s3
        A client of the local S3.
    checkpoints
        Where its position and pending delivery are kept.
    processor
        The transform, when the stream has one.
    region
        The app's region.
    """

    def __init__(
        self,
        *,
        config: DeliveryStreamConfig,
        source: KinesisSource,
        s3: Any,
        checkpoints: CheckpointStore,
        processor: LambdaProcessor | None,
        region: str,
    ) -> None:
        self.config = config
        self.label = f"firehose:{config.name}"
        self.arn = self.arn_of(config.name, region)
        self.stats = DeliveryStats()
        self._source = source
        self._s3 = s3
        self._checkpoints = checkpoints
        self._processor = processor
        self._id = f"firehose/{config.name}"
        self._prefixes = config.prefixes

    @staticmethod
    def arn_of(name: str, region: str) -> str:
        return f"arn:aws:firehose:{region}:{ACCOUNT_ID}:deliverystream/{name}"

    # -- positions ------------------------------------------------------------------------------------

    def _positions(self) -> dict[str, str]:
        return dict(self._checkpoints.get(self._id).get("shards", {}))

    def _pending(self) -> dict[str, tuple[str, str]] | None:
        pending = self._checkpoints.get(self._id).get("pending")
        return {shard: (first, last) for shard, (first, last) in pending.items()} if pending else None

    def start(self) -> None:
        """On the delivery stream's first start, mark what the Kinesis stream already holds as read: Firehose
        reads its source from LATEST, so records put before it existed are never delivered."""
        state = self._checkpoints.get(self._id)
        if state.get("started"):
            return
        if state.get("shards") or state.get("pending"):  # read before it recorded its start: it resumes
            self._checkpoints.update(self._id, started=datetime.now(UTC).isoformat())
            return
        shards = {}
        for shard in self._source.shards():
            last = last_sequence(self._source, shard.id)
            if last is not None:
                shards[shard.id] = last
        self._checkpoints.update(self._id, shards=shards, started=datetime.now(UTC).isoformat())

    # -- reading and buffering ------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Deliver until `stop` is set; what is buffered then is read again after a restart."""
        pending = self._pending()
        if pending is not None and not self._redeliver(pending, stop):
            return
        iterators = {shard.id: self._source.iterator(shard.id, self._positions().get(shard.id))
                     for shard in self._source.shards()}  # fmt: skip
        buffer: list[SourceRecord] = []
        size, opened = 0, 0.0
        interval = self.config.buffer_interval_seconds
        while not stop.is_set():
            read = 0
            for shard, iterator in list(iterators.items()):
                if iterator is None or size >= self.config.buffer_size_mb * MIB:
                    continue
                try:
                    raws, iterators[shard] = self._source.read(iterator, READ_LIMIT)
                except IteratorExpired:
                    return  # taken again from the checkpoint when the engine restarts the worker
                fresh = [_source_record(raw, shard) for raw in raws]
                if fresh and not buffer:
                    opened = time.monotonic()
                buffer += fresh
                size += sum(len(r.data) for r in fresh)
                read += len(fresh)
                self.stats.records_in += len(fresh)
            due = size >= self.config.buffer_size_mb * MIB or time.monotonic() - opened >= interval
            if buffer and due:
                if not self._deliver(buffer, stop):
                    return
                buffer, size = [], 0
            elif not read:
                stop.wait(IDLE_POLL_SECONDS if not buffer else min(IDLE_POLL_SECONDS, interval))

    def _redeliver(self, ranges: dict[str, tuple[str, str]], stop: threading.Event) -> bool:
        """The delivery a crash or a stop interrupted, with exactly its records."""
        records: list[SourceRecord] = []
        positions = self._positions()
        for shard, (_, last) in ranges.items():
            iterator = self._source.iterator(shard, positions.get(shard))
            while iterator:
                raws, iterator = self._source.read(iterator, READ_LIMIT)
                taken = [r for r in raws if int(self._source.sequence(r)) <= int(last)]
                records += [_source_record(raw, shard) for raw in taken]
                if not raws or len(taken) < len(raws) or self._source.sequence(raws[-1]) == last:
                    break
        if not records:  # nothing left to read (expired): give the range up
            self._checkpoints.update(self._id, pending=None)
            return True
        logger.info(
            "%s: delivering again the %d record(s) of an interrupted delivery", self.label, len(records)
        )
        return self._deliver(records, stop)

    # -- delivering -----------------------------------------------------------------------------------

    def _deliver(self, records: Sequence[SourceRecord], stop: threading.Event) -> bool:
        """Transform, write, checkpoint; False when `stop` interrupted the transform (left pending)."""
        started = time.perf_counter()
        # One order for the same records, however they were read: a delivery done again writes the same bytes.
        records = sorted(records, key=lambda r: (r.arrival_ms, r.shard, int(r.sequence)))
        ranges = _ranges(records)
        self._checkpoints.update(self._id, pending={s: list(r) for s, r in ranges.items()})
        if self._processor is not None:
            decided = self._processor.process(records, stop)
            if decided is None:
                return False
            outcomes: list[Outcome] = decided
        else:
            outcomes = [Outcome("Ok", r.data) for r in records]
        moment = datetime.fromtimestamp(min(r.arrival_ms for r in records) / 1000, UTC)
        written = self._write_data(records, outcomes, ranges, moment)
        written += self._write_failures(records, outcomes, ranges, moment)
        self._checkpoints.update(
            self._id,
            shards={**self._positions(), **{s: last for s, (_, last) in ranges.items()}},
            pending=None,
        )
        self._count(outcomes, written)
        self._log(len(records), outcomes, written, started)
        return True

    def _write_data(
        self, records: Sequence[SourceRecord], outcomes: list[Outcome], ranges: dict[str, tuple[str, str]],
        moment: datetime,
    ) -> list[str]:  # fmt: skip
        body = b"".join(o.data for o in outcomes if o.result == "Ok")
        if not body:
            return []
        unique = delivery_uuid(self.config.name, ranges, "data")
        prefix = self._prefixes.data_prefix(moment, random=_seeded_random(unique))
        return [
            self._put(prefix + object_name(self.config.name, moment, unique, self.config.extension), body)
        ]

    def _write_failures(
        self, records: Sequence[SourceRecord], outcomes: list[Outcome], ranges: dict[str, tuple[str, str]],
        moment: datetime,
    ) -> list[str]:  # fmt: skip
        failed = [(r, o) for r, o in zip(records, outcomes, strict=True) if o.result == "ProcessingFailed"]
        if not failed:
            return []
        arn = self._processor.lambda_arn if self._processor is not None else ""
        ended = now_ms()
        body = "\n".join(failed_record_line(r, o, arn, ended) for r, o in failed).encode() + b"\n"
        unique = delivery_uuid(self.config.name, ranges, "processing-failed")
        prefix = self._prefixes.error_output_prefix(
            moment, "processing-failed", random=_seeded_random(unique)
        )
        return [
            self._put(prefix + object_name(self.config.name, moment, unique, self.config.extension), body)
        ]

    def _put(self, key: str, body: bytes) -> str:
        if self.config.compression == "GZIP":
            body = gzip.compress(body, mtime=0)  # the same records give the same bytes
        self._s3.put_object(Bucket=self.config.bucket, Key=key, Body=body)
        return key

    # -- reporting ------------------------------------------------------------------------------------

    def _count(self, outcomes: list[Outcome], written: list[str]) -> None:
        stats = self.stats
        stats.ok += sum(o.result == "Ok" for o in outcomes)
        stats.dropped += sum(o.result == "Dropped" for o in outcomes)
        stats.processing_failed += sum(o.result == "ProcessingFailed" for o in outcomes)
        stats.objects_written += len(written)
        stats.deliveries += 1
        stats.last_delivery = datetime.now(UTC)
        stats.last_objects = written

    def _log(self, count: int, outcomes: list[Outcome], written: list[str], started: float) -> None:
        tally = ", ".join(
            f"{sum(o.result == result for o in outcomes)} {result}"
            for result in ("Ok", "Dropped", "ProcessingFailed")
        )
        via = f" -> {self._processor.function.name}" if self._processor is not None else ""
        error = self._processor.last_error if self._processor is not None else None
        failure = f" (last function error: {error})" if error and any(
            o.error_code == "Lambda.FunctionError" for o in outcomes
        ) else ""  # fmt: skip
        objects = ", ".join(f"s3://{self.config.bucket}/{key}" for key in written) or "no object"
        logger.info(
            "%s <- kinesis:%s: %d record%s%s: %s%s; wrote %s (%.0f ms)", self.label, self.config.source_stream,
            count, "s" if count != 1 else "", via, tally, failure, objects, (time.perf_counter() - started) * 1000,
        )  # fmt: skip


def _source_record(raw: dict[str, Any], shard: str) -> SourceRecord:
    arrival = raw["ApproximateArrivalTimestamp"]
    seconds = arrival.timestamp() if isinstance(arrival, datetime) else float(arrival)
    return SourceRecord(
        shard=shard,
        sequence=str(raw["SequenceNumber"]),
        partition_key=str(raw["PartitionKey"]),
        data=bytes(raw["Data"]),
        arrival_ms=int(seconds * 1000),
    )


def _ranges(records: Sequence[SourceRecord]) -> dict[str, tuple[str, str]]:
    """Each shard's first and last sequence number among `records`."""
    ranges: dict[str, tuple[str, str]] = {}
    for record in records:
        first, _ = ranges.get(record.shard, (record.sequence, record.sequence))
        ranges[record.shard] = (first, record.sequence)
    return ranges


def _seeded_random(seed: str) -> Any:
    """`!{firehose:random-string}` made from the delivery's uuid, so a delivery done again names the same key."""
    generator = random.Random(seed)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return lambda: "".join(generator.choice(alphabet) for _ in range(11))
