"""Presigned POSTs into the photos bucket: the key, the Content-Type and the size range are in the policy."""

from __future__ import annotations

from typing import Any

from boto3.session import Session
from botocore.config import Config

from resolvers.post_photos.domain.models import PresignedPost


def s3_client(session: Session, *, endpoint_configured: bool) -> Any:
    """An S3 client that signs with SigV4: virtual-hosted URLs on AWS, path style at an endpoint override
    (``AWS_ENDPOINT_URL_S3``, e.g. a local server, has no per-bucket host names)."""
    s3 = {"addressing_style": "path" if endpoint_configured else "virtual"}
    return session.client("s3", config=Config(signature_version="s3v4", s3=s3))


class S3PresignedPostSigner:
    """``UploadSigner`` for one bucket.

    Parameters
    ----------
    client
        A boto3 S3 client.
    bucket
        The photos bucket.
    """

    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def presign_post(self, key: str, *, content_type: str, max_bytes: int, expires_in: int) -> PresignedPost:
        # S3 refuses a POST whose key, Content-Type or size the signed policy does not allow.
        presigned = self._client.generate_presigned_post(
            Bucket=self._bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=expires_in,
        )
        return PresignedPost(
            url=str(presigned["url"]), fields={k: str(v) for k, v in presigned["fields"].items()}
        )
