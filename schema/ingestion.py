"""Ingestion results, published by the pipeline (IAM only) and pushed live to subscribers."""

from __future__ import annotations

from enum import Enum

import strawberry

from schema.aws_directives import aws_api_key, aws_cognito_user_pools, aws_iam, aws_subscribe
from schema.aws_scalars import AWSJSON, AWSDateTime

# Reports are for dashboards (API key), signed-in users and backends (IAM).
_READERS = [aws_iam(), aws_api_key(), aws_cognito_user_pools()]


@strawberry.enum(description="How a batch of the ingestion pipeline ended.")
class IngestionStatus(Enum):
    SUCCEEDED = "SUCCEEDED"
    PARTIAL = "PARTIAL"
    FAILED = "FAILED"


@strawberry.type(description="One processed batch of the ingestion pipeline.", directives=_READERS)
class IngestionResult:
    source: str = strawberry.field(description="Where the records came from, e.g. `sensors` or `orders`.")
    batch_id: strawberry.ID
    record_count: int
    status: IngestionStatus
    summary: AWSJSON | None = strawberry.field(description="Aggregates of the batch, as JSON.")
    published_at: AWSDateTime


@strawberry.input(description="What the pipeline reports about one batch.")
class IngestionResultInput:
    source: str
    batch_id: strawberry.ID
    record_count: int
    status: IngestionStatus
    summary: AWSJSON | None = strawberry.UNSET


@strawberry.type
class IngestionMutations:
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
