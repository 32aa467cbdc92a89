"""Presigned PUTs into the media bucket: the key, the Content-Type and the Content-Length are signed.

A SigV4 presigned URL signs the headers its request was made with, so S3 refuses the upload when the client
sends another type or another number of bytes. The media bucket gets no presigned GET, ever: its files are read
only through the CDN, by signed URLs.
"""

from __future__ import annotations

from typing import Any

from boto3.session import Session
from botocore.config import Config


def s3_client(session: Session, *, endpoint_configured: bool) -> Any:
    """An S3 client that signs with SigV4: virtual-hosted URLs on AWS, path style at an endpoint override
    (``AWS_ENDPOINT_URL_S3``, e.g. a local server, has no per-bucket host names)."""
    s3 = {"addressing_style": "path" if endpoint_configured else "virtual"}
    return session.client("s3", config=Config(signature_version="s3v4", s3=s3))


class S3PresignedPutSigner:
    """``UploadSigner`` for one bucket.

    Parameters
    ----------
    client
        A boto3 S3 client.
    bucket
        The media bucket.
    """

    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def presign_put(self, key: str, *, content_type: str, size: int, expires_in: int) -> str:
        params = {"Bucket": self._bucket, "Key": key, "ContentType": content_type, "ContentLength": size}
        return str(self._client.generate_presigned_url("put_object", Params=params, ExpiresIn=expires_in))
