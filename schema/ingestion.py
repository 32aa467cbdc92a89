"""The ingestion pipeline's API: events in, reports out, and each batch's result pushed live to subscribers.

Events reach the Kinesis stream two ways: devices with IAM credentials call `PutRecords` themselves, and pages
or partners call `ingestEvents` (IAM, the API key, or a partner token checked by the Lambda authorizer),
resolved by the `ingestion` Lambda, which checks each
event and forwards it with PutRecords. Firehose buffers the stream, its transform validates and deduplicates
each event, and every raw object it writes becomes a batch report (Athena SQL) that the pipeline publishes with
`publishIngestionResult` (IAM only: the report function's role may call that field and no other).
"""

from __future__ import annotations

from enum import Enum

import strawberry

from schema.aws_directives import aws_api_key, aws_cognito_user_pools, aws_iam, aws_lambda, aws_subscribe
from schema.aws_scalars import AWSJSON, AWSURL, AWSDateTime

# Live results are for dashboards (API key), signed-in users, backends (IAM) and partners (Lambda authorizer:
# a partner token with the `results` scope, filtered to the partner's own sources).
_READERS = [aws_iam(), aws_api_key(), aws_cognito_user_pools(), aws_lambda()]
# Reports, and their download URLs, are for signed-in users and backends.
_REPORT_READERS = [aws_iam(), aws_cognito_user_pools()]
# Who may send events: backends and devices (IAM), pages holding the API key, and partners with a partner
# token (the Lambda authorizer), as their own sources only.
_SENDERS = [aws_iam(), aws_api_key(), aws_lambda()]


@strawberry.enum(description="How a batch of the ingestion pipeline ended.")
class IngestionStatus(Enum):
    SUCCEEDED = "SUCCEEDED"
    PARTIAL = "PARTIAL"
    FAILED = "FAILED"


@strawberry.enum(description="BATCH: one object Firehose delivered; ROLLUP: one hour of events (hourly).")
class IngestionReportKind(Enum):
    BATCH = "BATCH"
    ROLLUP = "ROLLUP"


@strawberry.type(
    description="One processed batch of the ingestion pipeline, for one source.", directives=_READERS
)
class IngestionResult:
    source: str = strawberry.field(description="Where the records came from, e.g. `sensors` or `orders`.")
    batch_id: strawberry.ID
    record_count: int = strawberry.field(
        description="Records of this source in the batch, whatever became of them."
    )
    status: IngestionStatus
    accepted: int | None = strawberry.field(
        description="Events that took effect (first time their eventId was seen)."
    )
    duplicates: int | None = strawberry.field(description="Events whose eventId had been seen before.")
    dropped: int | None = strawberry.field(description="Malformed events, left out with a reason.")
    failed: int | None = strawberry.field(
        description="Records the transform could not process (error output)."
    )
    report_id: strawberry.ID | None = strawberry.field(description="The report (`ingestionReport(id)`).")
    report_location: str | None = strawberry.field(description="The report's CSV, as an s3:// URI.")
    summary: AWSJSON | None = strawberry.field(description="Aggregates of the batch, as JSON.")
    published_at: AWSDateTime


@strawberry.input(description="What the pipeline reports about one batch.")
class IngestionResultInput:
    source: str
    batch_id: strawberry.ID
    record_count: int
    status: IngestionStatus
    accepted: int | None = strawberry.UNSET
    duplicates: int | None = strawberry.UNSET
    dropped: int | None = strawberry.UNSET
    failed: int | None = strawberry.UNSET
    report_id: strawberry.ID | None = strawberry.UNSET
    report_location: str | None = strawberry.UNSET
    summary: AWSJSON | None = strawberry.UNSET


@strawberry.input(
    description="One event from a device or site. `eventId` makes it count once, however often it is sent."
)
class IngestEventInput:
    event_id: strawberry.ID = strawberry.field(
        description="1-128 characters: letters, digits, `.`, `_`, `:`, `-`."
    )
    source: str = strawberry.field(description="1-64 characters: letters, digits, `.`, `_`, `-`.")
    type: str = strawberry.field(description="1-64 characters.")
    occurred_at: AWSDateTime
    payload: AWSJSON | None = strawberry.UNSET


@strawberry.type(
    description="What became of one event of `ingestEvents`: a sequence number, or why not.",
    directives=_SENDERS,
)
class IngestedEvent:
    event_id: strawberry.ID
    sequence_number: str | None = strawberry.field(description="Kinesis's sequence number, when written.")
    error_code: str | None = strawberry.field(
        description="`InvalidEvent` (not sent: see errorMessage) or Kinesis's code (e.g. "
        "`ProvisionedThroughputExceededException`: send that event again)."
    )
    error_message: str | None


@strawberry.type(description="The events of one `ingestEvents` call, in the order sent.", directives=_SENDERS)
class IngestEventsResult:
    accepted_count: int = strawberry.field(description="Events written to the stream.")
    failed_count: int
    events: list[IngestedEvent]


@strawberry.type(description="A short-lived URL to download a report's CSV.", directives=_REPORT_READERS)
class ReportDownload:
    url: AWSURL
    expires_at: AWSDateTime


@strawberry.type(
    description="A report of the pipeline: one batch (one raw object), or one hour (ROLLUP), for one source. "
    "Its rows are in a CSV in the reports bucket, as Athena wrote them.",
    directives=_REPORT_READERS,
)
class IngestionReport:
    id: strawberry.ID
    kind: IngestionReportKind
    source: str
    batch_id: strawberry.ID | None = strawberry.field(description="BATCH: the raw object's id.")
    period_start: AWSDateTime | None = strawberry.field(description="ROLLUP: the hour's start.")
    status: IngestionStatus
    record_count: int
    accepted: int
    duplicates: int
    dropped: int
    failed: int
    summary: AWSJSON | None = strawberry.field(description="The report's rows for this source, as JSON.")
    location: str = strawberry.field(description="The CSV, as an s3:// URI.")
    created_at: AWSDateTime

    @strawberry.field(description="A presigned GET of the CSV, valid for a few minutes.")
    def download(self) -> ReportDownload | None: ...


@strawberry.type(directives=_REPORT_READERS)
class IngestionReportConnection:
    items: list[IngestionReport]
    next_token: str | None


@strawberry.type
class IngestionQueries:
    @strawberry.field(
        directives=_REPORT_READERS,
        description="Reports, newest first: of one source, or of every source of one kind (BATCH by default).",
    )
    def list_ingestion_reports(
        self,
        source: str | None = strawberry.UNSET,
        kind: IngestionReportKind | None = strawberry.UNSET,
        limit: int | None = strawberry.UNSET,
        next_token: str | None = strawberry.UNSET,
    ) -> IngestionReportConnection: ...

    @strawberry.field(directives=_REPORT_READERS, description="One report, or null.")
    def ingestion_report(self, id: strawberry.ID) -> IngestionReport | None: ...


@strawberry.type
class IngestionMutations:
    @strawberry.field(
        directives=_SENDERS,
        description="Sends up to 500 events (each at most 1 MB as JSON) to the ingestion stream; each gets a "
        "sequence number or an error of its own, and the others are still sent.",
    )
    def ingest_events(self, events: list[IngestEventInput]) -> IngestEventsResult: ...

    @strawberry.field(
        directives=[aws_iam()],
        description="Publishes a batch's result to onIngestionResult subscribers (a NONE data source: nothing "
        "is stored). Only IAM principals, i.e. the pipeline, may call it.",
    )
    def publish_ingestion_result(self, input: IngestionResultInput) -> IngestionResult: ...


@strawberry.type
class IngestionSubscriptions:
    @strawberry.field(
        directives=[aws_subscribe(mutations=["publishIngestionResult"]), *_READERS],
        description="Ingestion results as the pipeline publishes them, optionally from one source only.",
    )
    def on_ingestion_result(self, source: str | None = strawberry.UNSET) -> IngestionResult | None: ...
