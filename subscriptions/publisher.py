"""Publish ingestion results to subscribers: an IAM-signed `publishIngestionResult` mutation.

This is how a pipeline function (on Lambda, or locally) reaches AppSync's realtime clients: it calls a
mutation that only IAM may call, resolved by a NONE data source, so AppSync fans the result out to
`onIngestionResult` subscribers. The same code runs against AWS and the local runtime: only the URL
(`APPSYNC_URL`) and the credentials (the standard AWS chain) differ.
"""

from __future__ import annotations

import os
from typing import Any

from subscriptions.appsync_client import AppSyncError, default_region, execute

# Subscribers get what the mutation selects (AppSync narrows to it), so it selects every field of the result.
PUBLISH = """
mutation Publish($input: IngestionResultInput!) {
  publishIngestionResult(input: $input) {
    source batchId recordCount status accepted duplicates dropped failed reportId reportLocation summary publishedAt
  }
}
"""


class PublishError(AppSyncError):
    """AppSync refused the mutation or answered with errors."""


def publish_ingestion_result(
    result: dict[str, Any], *, url: str | None = None, region: str | None = None, timeout: float = 10
) -> dict[str, Any]:
    """Send one ingestion result; returns what the mutation selected. Raises `PublishError` on failure."""
    try:
        data = execute(
            PUBLISH,
            {"input": result},
            url=url or os.environ["APPSYNC_URL"],
            region=region or default_region(),
            timeout=timeout,
        )
    except AppSyncError as exc:
        raise PublishError(str(exc), status=exc.status, errors=exc.errors) from exc
    return dict(data["publishIngestionResult"])
