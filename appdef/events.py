"""Event sources: queues, Kinesis streams, S3 notifications and what triggers each function.

Declared once in `appsync.toml` and read by both the local runtime (which polls the local services and
invokes functions as Lambda's event source mappings do) and `infra/` (EventSourceMappings, S3 notifications,
SQS with redrive, EventBridge rules). The settings and their ranges are Lambda's (ESM-api, sqs-params,
ddb-params) and EventBridge's (eb-rate, eb-cron).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from .base import Definition, Name, StrictBool, StrictInt, StrictStr, named
from .schedules import ScheduleError, parse_schedule

# Lambda's FilterCriteria: at most 5 patterns, each at most 4096 characters of JSON, ORed together.
MAX_FILTERS = 5
MAX_PATTERN_CHARS = 4096
S3_EVENT_TYPES = (
    "s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post", "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:CompleteMultipartUpload", "s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete",
    "s3:ObjectRemoved:DeleteMarkerCreated",
)  # fmt: skip
FilterPattern = dict[StrictStr, Any]


def _check_filters(
    filters: tuple[dict[str, Any], ...], allowed_keys: tuple[str, ...]
) -> tuple[dict[str, Any], ...]:
    if len(filters) > MAX_FILTERS:
        raise ValueError(f"at most {MAX_FILTERS} filter patterns (Lambda's limit)")
    for pattern in filters:
        text = json.dumps(pattern, separators=(",", ":"))
        if len(text) > MAX_PATTERN_CHARS:
            raise ValueError(
                f"a filter pattern is {len(text)} characters of JSON; Lambda allows {MAX_PATTERN_CHARS}"
            )
        extra = sorted(set(pattern) - set(allowed_keys))
        if extra:
            raise ValueError(f"this source filters on {', '.join(allowed_keys)} only, not {', '.join(extra)}")
    return filters


class DeadLetterConfig(Definition):
    """SQS's redrive policy: after `max_receive_count` receives, a message moves to the dead-letter queue."""

    queue: Name | None = Field(
        None, description="A queue of `[queues]`; default: `<this queue>-dlq`, created."
    )
    max_receive_count: StrictInt = Field(5, ge=1, le=1000, description="Lambda's guide advises at least 5.")


class QueueConfig(Definition):
    """An SQS queue (standard)."""

    name: SkipJsonSchema[str] = named()
    visibility_timeout_seconds: StrictInt = Field(
        30, ge=0, le=43_200, description="At least the consuming function's timeout (Lambda refuses less)."
    )
    message_retention_seconds: StrictInt = Field(345_600, ge=60, le=1_209_600)
    delay_seconds: StrictInt = Field(0, ge=0, le=900)
    dead_letter: DeadLetterConfig | None = Field(
        None, description="Where messages go after repeated failures."
    )

    @property
    def dead_letter_queue(self) -> str | None:
        if self.dead_letter is None:
            return None
        return self.dead_letter.queue or f"{self.name}-dlq"


class StreamConfig(Definition):
    """A Kinesis data stream."""

    name: SkipJsonSchema[str] = named()
    mode: Literal["PROVISIONED", "ON_DEMAND"] = Field(
        "PROVISIONED",
        description="ON_DEMAND: Kinesis adds and removes shards with the load (deployed); PROVISIONED: `shards`.",
    )
    shards: StrictInt = Field(
        1,
        ge=1,
        le=500,
        description="PROVISIONED: the shard count. Locally, either mode has this many shards.",
    )
    retention_hours: StrictInt = Field(24, ge=24, le=8760)


class BucketNotification(Definition):
    """An S3 event notification to a queue (a function subscribes with a `type = "s3"` trigger)."""

    events: tuple[Literal[S3_EVENT_TYPES], ...] = Field(("s3:ObjectCreated:*",), min_length=1)  # type: ignore[valid-type]
    prefix: Annotated[StrictStr, Field(max_length=1024)] = ""
    suffix: Annotated[StrictStr, Field(max_length=1024)] = ""
    queue: Name = Field(description="A queue of `[queues]`: S3 sends each event there as a message body.")


# -- triggers -------------------------------------------------------------------------------------------


class _StreamSource(Definition):
    """What DynamoDB and Kinesis stream mappings share (ddb-params, kin-onfail)."""

    starting_position: Literal["TRIM_HORIZON", "LATEST"] = Field(
        description="Where a new mapping starts reading: the oldest record, or only new ones."
    )
    batch_size: StrictInt = Field(100, ge=1, le=10_000)
    batching_window_seconds: StrictInt = Field(0, ge=0, le=300)
    filters: tuple[FilterPattern, ...] = Field((), description="Lambda filter patterns, ORed (at most 5).")
    report_batch_item_failures: StrictBool = Field(
        False, description="The handler returns batchItemFailures."
    )
    maximum_retry_attempts: StrictInt = Field(
        -1, ge=-1, le=10_000, description="-1 retries until the record expires."
    )
    maximum_record_age_seconds: StrictInt = Field(-1, ge=-1, le=604_800)
    bisect_batch_on_error: StrictBool = False
    on_failure: Name | None = Field(None, description="A queue of `[queues]` for failed batches' metadata.")

    @field_validator("maximum_record_age_seconds")
    @classmethod
    def _age(cls, value: int) -> int:
        if value != -1 and value < 60:
            raise ValueError("must be -1 (no limit) or 60-604800 seconds")
        return value


class DynamoDBStreamTrigger(_StreamSource):
    """The function reads a table's stream."""

    type: Literal["dynamodb_stream"]
    table: Name = Field(description="A table of `[tables]` with a `stream`.")

    @field_validator("filters")
    @classmethod
    def _filters(cls, filters: tuple[dict[str, Any], ...]) -> tuple[dict[str, Any], ...]:
        return _check_filters(filters, ("eventName", "eventID", "eventVersion", "awsRegion", "dynamodb"))


class KinesisTrigger(_StreamSource):
    """The function reads a Kinesis data stream."""

    type: Literal["kinesis"]
    stream: Name = Field(description="A stream of `[streams]`.")

    @field_validator("filters")
    @classmethod
    def _filters(cls, filters: tuple[dict[str, Any], ...]) -> tuple[dict[str, Any], ...]:
        return _check_filters(filters, ("data", "partitionKey"))


class SqsTrigger(Definition):
    """The function reads a queue (sqs-params)."""

    type: Literal["sqs"]
    queue: Name = Field(description="A queue of `[queues]`.")
    batch_size: StrictInt = Field(10, ge=1, le=10_000)
    batching_window_seconds: StrictInt = Field(0, ge=0, le=300)
    filters: tuple[FilterPattern, ...] = Field((), description="Lambda filter patterns on `body`, ORed.")
    report_batch_item_failures: StrictBool = Field(
        False, description="The handler returns batchItemFailures."
    )

    @field_validator("filters")
    @classmethod
    def _filters(cls, filters: tuple[dict[str, Any], ...]) -> tuple[dict[str, Any], ...]:
        return _check_filters(filters, ("body", "attributes", "messageAttributes"))

    @model_validator(mode="after")
    def _window(self) -> SqsTrigger:
        if self.batch_size > 10 and self.batching_window_seconds < 1:
            raise ValueError(
                "a batch_size over 10 needs batching_window_seconds of at least 1 (Lambda's rule)"
            )
        return self


class S3Trigger(Definition):
    """S3 invokes the function directly (asynchronously) for the bucket's events."""

    type: Literal["s3"]
    bucket: StrictStr = Field(description="A bucket of `[buckets]`.")
    events: tuple[Literal[S3_EVENT_TYPES], ...] = Field(("s3:ObjectCreated:*",), min_length=1)  # type: ignore[valid-type]
    prefix: Annotated[StrictStr, Field(max_length=1024)] = ""
    suffix: Annotated[StrictStr, Field(max_length=1024)] = ""
    on_failure: Name | None = Field(None, description="A queue of `[queues]` for events that failed 3 times.")


class ScheduleTrigger(Definition):
    """EventBridge invokes the function on a schedule (UTC)."""

    type: Literal["schedule"]
    expression: StrictStr = Field(
        description="`rate(5 minutes)` or `cron(0 12 * * ? *)`, as EventBridge has them."
    )
    enabled: StrictBool = True

    @field_validator("expression")
    @classmethod
    def _parses(cls, expression: str) -> str:
        try:
            parse_schedule(expression)
        except ScheduleError as exc:
            raise ValueError(str(exc)) from None
        return expression


def _trigger_kind(value: Any) -> str | None:
    return value.get("type") if isinstance(value, dict) else getattr(value, "type", None)


Trigger = Annotated[
    Annotated[DynamoDBStreamTrigger, Tag("dynamodb_stream")]
    | Annotated[KinesisTrigger, Tag("kinesis")]
    | Annotated[SqsTrigger, Tag("sqs")]
    | Annotated[S3Trigger, Tag("s3")]
    | Annotated[ScheduleTrigger, Tag("schedule")],
    Discriminator(_trigger_kind),
]
TRIGGER_TYPES = ("dynamodb_stream", "kinesis", "sqs", "s3", "schedule")


class EmailConfig(Definition):
    """Who the app sends e-mail as (SES identities; verified locally, created deployed)."""

    senders: tuple[Annotated[StrictStr, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")], ...] = ()
