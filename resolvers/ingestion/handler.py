"""The ingestion Lambda resolver: `Mutation.ingestEvents` and `IngestionReport.download`."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.data_classes.appsync_resolver_event import AppSyncResolverEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from resolvers.ingestion.collect import ingest
from resolvers.routing import AppSyncResolver

DEFAULT_DOWNLOAD_TTL_SECONDS = 300

logger = Logger(service="ingestion")
app = AppSyncResolver()


@cache
def _client(service: str) -> Any:
    import boto3

    return boto3.client(service)


@cache
def _s3_signer() -> Any:
    """An S3 client that presigns with SigV4 (S3 refuses SigV2 on buckets made since 2020; botocore would
    otherwise presign with SigV2 at some endpoints): virtual-hosted on AWS, path style at an endpoint override."""
    import boto3
    from botocore.config import Config

    overridden = any(os.environ.get(name) for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"))
    style = "path" if overridden else "virtual"
    return boto3.client("s3", config=Config(signature_version="s3v4", s3={"addressing_style": style}))


def _setting(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise RuntimeError(f"The environment variable {name} is not set")
    return value


def _partner_sources(identity: Any) -> frozenset[str] | None:
    """A partner's sources, from the Lambda authorizer's resolverContext; None for other callers."""
    context = identity.get("resolverContext") if isinstance(identity, dict) else None
    if not isinstance(context, dict):
        return None
    return frozenset(s for s in str(context.get("sources", "")).split(",") if s)


@app.resolver(type_name="Mutation", field_name="ingestEvents")
def ingest_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    """Check each event and send the good ones to the ingestion stream (a partner: as its own sources)."""
    event = app.current_event
    sources = _partner_sources(event.get("identity") if event is not None else None)
    result = ingest(events, _setting("INGEST_STREAM"), _client("kinesis"), sources)
    logger.info(
        "Ingested events", extra={"accepted": result["acceptedCount"], "failed": result["failedCount"]}
    )
    return result


@app.batch_resolver(type_name="IngestionReport", field_name="download", aggregate=True)
def download(event: list[AppSyncResolverEvent]) -> list[dict[str, Any] | None]:
    """A presigned GET of each report's CSV (reports live only in the reports bucket)."""
    bucket = _setting("REPORTS_BUCKET")
    ttl = int(os.environ.get("DOWNLOAD_URL_TTL_SECONDS") or DEFAULT_DOWNLOAD_TTL_SECONDS)
    expires_at = (
        (datetime.now(UTC) + timedelta(seconds=ttl)).isoformat(timespec="seconds").replace("+00:00", "Z")
    )
    answers: list[dict[str, Any] | None] = []
    for item in event:
        location = str((item.source or {}).get("location", ""))
        found_bucket, _, key = location.removeprefix("s3://").partition("/")
        if not location.startswith("s3://") or found_bucket != bucket or not key:
            answers.append(
                None
            )  # an error object's report: its records are in the raw bucket, not for download
            continue
        url = _s3_signer().generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=ttl
        )
        answers.append({"url": url, "expiresAt": expires_at})
    return answers


@logger.inject_lambda_context(correlation_id_path=correlation_paths.APPSYNC_RESOLVER)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Any:
    return app.resolve(event, context)
