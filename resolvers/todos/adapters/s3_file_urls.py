"""Presigned URLs for the user-files bucket (SigV4; the key and, for uploads, the Content-Type are signed)."""

from __future__ import annotations

from typing import Any

from boto3.session import Session
from botocore.config import Config


def s3_client(session: Session, *, endpoint_configured: bool) -> Any:
    """An S3 client that signs with SigV4.

    On AWS the URL names the bucket's own regional host (virtual-hosted style), which works for buckets in
    every region from the moment they exist. An endpoint override (``AWS_ENDPOINT_URL_S3``, e.g. a local
    server such as ``http://localhost:4566``) has no per-bucket host names, so path style is used there.
    Either way the signature covers the whole key, so a URL cannot be reused for another key or prefix.
    """
    s3 = {"addressing_style": "path" if endpoint_configured else "virtual"}
    return session.client("s3", config=Config(signature_version="s3v4", s3=s3))


class S3FileUrlSigner:
    """``FileUrlSigner`` for one bucket.

    Parameters
    ----------
    client
        A boto3 S3 client.
    bucket
        The bucket holding every user's folder.
    """

    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def presign_upload(self, key: str, *, content_type: str | None, expires_in: int) -> str:
        params: dict[str, str] = {"Bucket": self._bucket, "Key": key}
        if content_type is not None:
            params["ContentType"] = content_type
        return str(self._client.generate_presigned_url("put_object", Params=params, ExpiresIn=expires_in))

    def presign_download(self, key: str, *, expires_in: int) -> str:
        params = {"Bucket": self._bucket, "Key": key}
        return str(self._client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in))
