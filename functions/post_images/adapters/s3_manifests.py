"""``ManifestStore`` on the photos bucket."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

_MISSING = frozenset({"404", "NoSuchKey", "NotFound"})
MAX_MANIFEST_BYTES = 64 * 1024  # a manifest lists a few sizes; anything bigger is not one


class S3ManifestStore:
    """Reads manifests from one bucket.

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

    def read(self, key: str) -> bytes | None:
        try:
            response = self._client.get_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise
        return bytes(response["Body"].read(MAX_MANIFEST_BYTES + 1))
