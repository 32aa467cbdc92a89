"""Call an AppSync API as an IAM principal: GraphQL over HTTPS, each request signed with SigV4.

What the app's functions use to reach the API (the ingestion publisher, the post-images function): mutations
only IAM may call, so realtime subscribers hear of what happened. The same code runs against AWS and the local
runtime: only the URL and the credentials (the standard AWS chain) differ.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit


class AppSyncError(RuntimeError):
    """AppSync refused the request (`status`, e.g. 401) or answered with GraphQL errors (`errors`)."""

    def __init__(self, message: str, *, status: int | None = None, errors: Sequence[Mapping[str, Any]] = ()):
        super().__init__(message)
        self.status = status
        self.errors = list(errors)

    @property
    def error_types(self) -> set[str]:
        """The `errorType` of each GraphQL error (`NotFoundError`, `Unauthorized`, …)."""
        return {str(error.get("errorType")) for error in self.errors if error.get("errorType")}


def default_region() -> str:
    """The region from the standard variables, else us-east-1."""
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def signed_request(url: str, body: bytes, region: str) -> urllib.request.Request:
    """A POST of `body` to `url`, signed with SigV4 for the `appsync` service by the default credentials."""
    # botocore is imported here so that importing this module stays cheap for code that never calls the API.
    import botocore.session
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    credentials = botocore.session.get_session().get_credentials()
    if credentials is None:
        raise AppSyncError(
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


def execute(
    query: str,
    variables: Mapping[str, Any] | None = None,
    *,
    url: str,
    region: str | None = None,
    timeout: float = 10,
) -> dict[str, Any]:
    """Run one operation signed with SigV4; its `data`. Raises `AppSyncError` on refusal or GraphQL errors."""
    body = json.dumps({"query": query, "variables": dict(variables or {})}).encode()
    request = signed_request(url, body, region or default_region())
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise AppSyncError(
            f"AppSync answered HTTP {exc.code}: {exc.read().decode(errors='replace')}", status=exc.code
        ) from exc
    errors = answer.get("errors") or []
    if errors:
        raise AppSyncError(
            "; ".join(f"{e.get('errorType')}: {e.get('message')}" for e in errors), errors=errors
        )
    return dict(answer.get("data") or {})
