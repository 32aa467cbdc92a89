"""Publish ingestion results to subscribers: an IAM-signed `publishIngestionResult` mutation.

This is how a pipeline function (on Lambda, or locally) reaches AppSync's realtime clients: it calls a
mutation that only IAM may call, resolved by a NONE data source, so AppSync fans the result out to
`onIngestionResult` subscribers. The same code runs against AWS and the local runtime: only the URL
(`APPSYNC_URL`) and the credentials (the standard AWS chain) differ.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

PUBLISH = """
mutation Publish($input: IngestionResultInput!) {
  publishIngestionResult(input: $input) { source batchId recordCount status summary publishedAt }
}
"""


class PublishError(RuntimeError):
    """AppSync refused the mutation or answered with errors."""


def _signed_request(url: str, body: bytes, region: str) -> urllib.request.Request:
    # botocore is imported here so that importing this module stays cheap for handlers that never publish.
    import botocore.session
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    credentials = botocore.session.get_session().get_credentials()
    if credentials is None:
        raise PublishError(
            "no AWS credentials found to sign the request (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)"
        )
    request = AWSRequest(
        method="POST",
        url=url,
        data=body,
        headers={"content-type": "application/json", "host": urlsplit(url).netloc},
    )
    SigV4Auth(credentials.get_frozen_credentials(), "appsync", region).add_auth(request)
    return urllib.request.Request(url, data=body, headers=dict(request.headers.items()), method="POST")


def publish_ingestion_result(
    result: dict[str, Any], *, url: str | None = None, region: str | None = None, timeout: float = 10
) -> dict[str, Any]:
    """Send one ingestion result; returns what the mutation selected. Raises `PublishError` on failure."""
    url = url or os.environ["APPSYNC_URL"]
    region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    body = json.dumps({"query": PUBLISH, "variables": {"input": result}}).encode()
    try:
        with urllib.request.urlopen(_signed_request(url, body, region), timeout=timeout) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise PublishError(
            f"AppSync answered HTTP {exc.code}: {exc.read().decode(errors='replace')}"
        ) from exc
    if answer.get("errors"):
        raise PublishError("; ".join(f"{e.get('errorType')}: {e.get('message')}" for e in answer["errors"]))
    return answer["data"]["publishIngestionResult"]
