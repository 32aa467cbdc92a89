"""The S3 signer's URLs, computed offline: SigV4, one exact key, the content type signed."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import boto3.session
import pytest

from resolvers.todos.adapters.s3_file_urls import S3FileUrlSigner, s3_client

KEY = "users/7d8ca528-4931-4254-9273-ea5ee853f271/avatar.png"


def _signer(monkeypatch: pytest.MonkeyPatch, *, endpoint: str | None, region: str) -> S3FileUrlSigner:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    if endpoint is None:
        monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    else:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", endpoint)
    session = boto3.session.Session(
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", region_name=region
    )
    return S3FileUrlSigner(s3_client(session, endpoint_configured=endpoint is not None), "user-files")


def test_on_aws_urls_use_the_buckets_regional_host(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN no endpoint override, a bucket in eu-west-1
    signer = _signer(monkeypatch, endpoint=None, region="eu-west-1")

    # WHEN an upload URL is presigned
    url = urlsplit(signer.presign_upload(KEY, content_type="image/png", expires_in=300))

    # THEN it is SigV4 for exactly this key on the regional virtual host, with the content type signed
    query = parse_qs(url.query)
    assert url.netloc == "user-files.s3.eu-west-1.amazonaws.com"
    assert url.path == f"/{KEY}"
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["300"]
    assert query["X-Amz-SignedHeaders"] == ["content-type;host"]


def test_with_a_local_endpoint_urls_are_path_style(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a local S3 endpoint with a host name (no per-bucket host names exist there)
    signer = _signer(monkeypatch, endpoint="http://localhost:4566", region="us-east-1")

    # WHEN a download URL is presigned
    url = urlsplit(signer.presign_download(KEY, expires_in=60))

    # THEN the bucket is in the path and only this key is signed
    assert (url.netloc, url.path) == ("localhost:4566", f"/user-files/{KEY}")
    assert parse_qs(url.query)["X-Amz-SignedHeaders"] == ["host"]
