"""Firehose's Lambda processor contract: the data-transformation event, the reading of the function's answer,
and the records Firehose writes for what failed (fh-transform, fh-status, fh-fail).

The event for a Kinesis source is `{invocationId, deliveryStreamArn, sourceKinesisStreamArn, region,
records[{recordId, approximateArrivalTimestamp (ms), data (base64), kinesisRecordMetadata{sequenceNumber,
subsequenceNumber, partitionKey, shardId, approximateArrivalTimestamp}}]}`. The answer must return every
recordId exactly once with `result` Ok, Dropped or ProcessingFailed (and base64 `data` for Ok); an answer that
breaks the status model fails the whole batch with the error code Firehose logs for it (Firehose's
CloudWatch Logs table of Lambda invocation errors). A failed invocation is retried `NumberOfRetries` times,
then its records fail with `Lambda.FunctionError`.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

from ..errors import LambdaError
from ..lambda_runtime import LocalFunction

Result = Literal["Ok", "Dropped", "ProcessingFailed"]
RESULTS: tuple[Result, ...] = ("Ok", "Dropped", "ProcessingFailed")
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024  # Lambda's synchronous request and response limit (fh-transform)
MIB = 1024 * 1024

# Firehose's error codes and messages for records that failed in the Lambda processor.
FUNCTION_ERROR = ("Lambda.FunctionError", "The Lambda function was successfully invoked but it returned an error result.")  # fmt: skip
JSON_PROCESSING = (
    "Lambda.JsonProcessingException",
    (
        "There was an error parsing returned records from the Lambda function. Ensure that the returned records "
        "follow the status model required by Firehose."
    ),
)
DUPLICATED_RECORD_ID = (
    "Lambda.DuplicatedRecordId",
    (
        "Multiple records were returned with the same record ID. Ensure that the Lambda function returns unique "
        "record IDs for each record."
    ),
)
MISSING_RECORD_ID = (
    "Lambda.MissingRecordId",
    "One or more record IDs were not returned. Ensure that the Lambda function returns all received record IDs.",
)
PROCESSING_FAILED_STATUS = ("Lambda.ProcessingFailedStatus", "ProcessingFailed status set for record")


@dataclass(frozen=True)
class SourceRecord:
    """A Kinesis record as the delivery stream holds it."""

    shard: str
    sequence: str
    partition_key: str
    data: bytes
    arrival_ms: int

    @property
    def record_id(self) -> str:
        return record_id(self.shard, self.sequence)


def record_id(shard: str, sequence: str, subsequence: int = 0) -> str:
    """Firehose's recordId for a Kinesis record: the shard id, the sequence number padded to 128 digits and
    the subsequence number to 12, so a record has the same id in every retry and after a restart."""
    return f"{shard}{sequence.rjust(128, '0')}{subsequence:012d}"


@dataclass(frozen=True)
class Outcome:
    """What became of one record: Ok (with its new data), Dropped, or ProcessingFailed (with the error)."""

    result: Result
    data: bytes = b""
    error_code: str = ""
    error_message: str = ""
    attempts: int = 1


class KinesisRecordMetadata(TypedDict):
    sequenceNumber: str
    subsequenceNumber: int
    partitionKey: str
    shardId: str
    approximateArrivalTimestamp: int


class TransformationRecord(TypedDict):
    recordId: str
    approximateArrivalTimestamp: int
    data: str
    kinesisRecordMetadata: KinesisRecordMetadata


class TransformationEvent(TypedDict):
    invocationId: str
    deliveryStreamArn: str
    sourceKinesisStreamArn: str
    region: str
    records: list[TransformationRecord]


class FailedRecordLine(TypedDict):
    attemptsMade: int
    arrivalTimestamp: int
    errorCode: str
    errorMessage: str
    attemptEndingTimestamp: int
    rawData: str
    lambdaArn: str


def transformation_record(record: SourceRecord) -> TransformationRecord:
    return {
        "recordId": record.record_id,
        "approximateArrivalTimestamp": record.arrival_ms,
        "data": base64.b64encode(record.data).decode("ascii"),
        "kinesisRecordMetadata": {
            "sequenceNumber": record.sequence,
            "subsequenceNumber": 0,
            "partitionKey": record.partition_key,
            "shardId": record.shard,
            "approximateArrivalTimestamp": record.arrival_ms,
        },
    }


def read_response(response: Any, record_ids: Sequence[str]) -> dict[str, Outcome] | tuple[str, str]:
    """The function's answer by recordId, or the (error code, message) that fails the whole batch."""
    entries = response.get("records") if isinstance(response, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        return JSON_PROCESSING
    outcomes: dict[str, Outcome] = {}
    for entry in entries:
        identifier, result, data = entry.get("recordId"), entry.get("result"), entry.get("data")
        if not isinstance(identifier, str) or result not in RESULTS:
            return JSON_PROCESSING
        if identifier in outcomes:
            return DUPLICATED_RECORD_ID
        if result == "Ok":
            decoded = _base64(data)
            if decoded is None:
                return JSON_PROCESSING
            outcomes[identifier] = Outcome("Ok", decoded)
        elif result == "Dropped":
            outcomes[identifier] = Outcome("Dropped")
        else:
            outcomes[identifier] = Outcome("ProcessingFailed", b"", *PROCESSING_FAILED_STATUS)
    if set(outcomes) != set(record_ids):
        return MISSING_RECORD_ID
    return outcomes


def _base64(data: Any) -> bytes | None:
    if not isinstance(data, str):
        return None
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return None


def failed_record_line(record: SourceRecord, outcome: Outcome, lambda_arn: str, ended_ms: int) -> str:
    """One line of a processing-failed object, as Firehose writes it (fh-fail)."""
    line: FailedRecordLine = {
        "attemptsMade": outcome.attempts,
        "arrivalTimestamp": record.arrival_ms,
        "errorCode": outcome.error_code,
        "errorMessage": outcome.error_message,
        "attemptEndingTimestamp": ended_ms,
        "rawData": base64.b64encode(record.data).decode("ascii"),
        "lambdaArn": lambda_arn,
    }
    return json.dumps(line, separators=(",", ":"))


def invocation_batches(records: Sequence[SourceRecord], size_mb: float) -> list[list[SourceRecord]]:
    """Records cut into invocations: at most the processor's buffer size of data, and 6 MB of request."""
    limit = min(size_mb * MIB, MAX_PAYLOAD_BYTES)
    batches: list[list[SourceRecord]] = []
    batch: list[SourceRecord] = []
    data_bytes = payload_bytes = 0
    for record in records:
        encoded = len(json.dumps(transformation_record(record)))
        if batch and (
            data_bytes + len(record.data) > limit or payload_bytes + encoded > MAX_PAYLOAD_BYTES - 1024
        ):
            batches.append(batch)
            batch, data_bytes, payload_bytes = [], 0, 0
        batch.append(record)
        data_bytes += len(record.data)
        payload_bytes += encoded + 1
    if batch:
        batches.append(batch)
    return batches


class LambdaProcessor:
    """Invokes a delivery stream's transform as Firehose does: per batch, retried on failure.

    Parameters
    ----------
    function
        The transform.
    event_fields
        `deliveryStreamArn`, `sourceKinesisStreamArn` and `region` of every event.
    retries
        NumberOfRetries: further attempts after a failed invocation.
    retry_delay
        Seconds between attempts.
    size_mb
        The processor's BufferSizeInMBs: the most data one invocation carries.
    source
        How the invocation log names the caller (`firehose:<name>`).
    """

    def __init__(
        self,
        function: LocalFunction,
        *,
        event_fields: dict[str, str],
        retries: int,
        retry_delay: float,
        size_mb: float,
        source: str,
    ) -> None:
        self.function = function
        self.lambda_arn = f"arn:aws:lambda:{function.region}:000000000000:function:{function.name}"
        self._fields = event_fields
        self._retries = retries
        self._retry_delay = retry_delay
        self._size_mb = size_mb
        self._source = source
        self.last_error: str | None = None  # the function's last error, for the delivery's log line

    def process(self, records: Sequence[SourceRecord], stop: threading.Event) -> list[Outcome] | None:
        """Each record's outcome, in order; None when `stop` interrupted the retries (nothing decided)."""
        outcomes: list[Outcome] = []
        for batch in invocation_batches(records, self._size_mb):
            decided = self._invoke(batch, stop)
            if decided is None:
                return None
            outcomes += decided
        return outcomes

    def _invoke(self, batch: list[SourceRecord], stop: threading.Event) -> list[Outcome] | None:
        identifiers = [r.record_id for r in batch]
        attempts = 0
        while True:
            attempts += 1
            event: TransformationEvent = {
                "invocationId": str(uuid.uuid4()),
                "deliveryStreamArn": self._fields["deliveryStreamArn"],
                "sourceKinesisStreamArn": self._fields["sourceKinesisStreamArn"],
                "region": self._fields["region"],
                "records": [transformation_record(r) for r in batch],
            }
            try:
                response = self.function.invoke(event, source=self._source)
                if len(json.dumps(response)) > MAX_PAYLOAD_BYTES:
                    raise LambdaError(
                        "Response payload size exceeded maximum allowed payload size", "Runtime"
                    )
            except LambdaError as exc:
                self.last_error = f"{exc.error_type}: {exc.message}"
                if attempts > self._retries:
                    return [_failed(FUNCTION_ERROR, attempts) for _ in batch]
                if stop.wait(self._retry_delay):
                    return None
                continue
            read = read_response(response, identifiers)
            if isinstance(read, tuple):
                return [_failed(read, attempts) for _ in batch]
            return [_with_attempts(read[i], attempts) for i in identifiers]


def _failed(error: tuple[str, str], attempts: int) -> Outcome:
    return Outcome("ProcessingFailed", b"", error[0], error[1], attempts)


def _with_attempts(outcome: Outcome, attempts: int) -> Outcome:
    if outcome.result != "ProcessingFailed":
        return outcome
    return Outcome(outcome.result, b"", outcome.error_code, outcome.error_message, attempts)


def now_ms(clock: Callable[[], float] = time.time) -> int:
    return int(clock() * 1000)
