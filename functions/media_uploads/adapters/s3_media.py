"""``MediaObjects`` on the media bucket."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from functions.media_uploads.domain.models import StoredObject

_MISSING = frozenset({"404", "NoSuchKey", "NotFound"})


class S3MediaObjects:
    """Describes and reads uploads, and writes posters, in one bucket.

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

    def describe(self, key: str) -> StoredObject | None:
        try:
            head = self._client.head_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise
        return StoredObject(content_type=str(head.get("ContentType") or ""), size=int(head["ContentLength"]))

    def read(self, key: str, *, limit: int) -> bytes:
        # A range, so an object replaced by a huge one since it was described is never downloaded whole.
        response = self._client.get_object(Bucket=self._bucket, Key=key, Range=f"bytes=0-{limit}")
        return bytes(response["Body"].read())

    def write(self, key: str, data: bytes, *, content_type: str, cache_control: str) -> None:
        self._client.put_object(
            Bucket=self._bucket, Key=key, Body=data, ContentType=content_type, CacheControl=cache_control
        )
