"""The site's config file in its bucket (`config.json`): where the site's pages read the API key."""

from __future__ import annotations

import json
from typing import Any

from functions.api_key_rotation.domain.errors import SiteConfigMissing
from functions.api_key_rotation.domain.models import PublishedKey

DEFAULT_CACHE_CONTROL = "public, max-age=300"


class SiteConfigFile:
    """One JSON object in S3 whose `field` is the API key.

    Parameters
    ----------
    client
        A boto3 S3 client.
    bucket, key
        Where the file is.
    field
        The name of the key's value in the file (`apiKey`).
    """

    def __init__(self, client: Any, bucket: str, key: str, field: str) -> None:
        self._client = client
        self._bucket = bucket
        self._key = key
        self._field = field

    def read(self) -> PublishedKey:
        document, response = self._document()
        value = document.get(self._field)
        return PublishedKey(
            api_key=value if isinstance(value, str) else None,
            since=response["LastModified"].timestamp(),
        )

    def publish(self, api_key: str) -> None:
        document, response = self._document()
        document[self._field] = api_key
        # Put back as the deploy put it: its content type and Cache-Control (the CDN keeps copies by it).
        self._client.put_object(
            Bucket=self._bucket,
            Key=self._key,
            Body=(json.dumps(document, indent=2) + "\n").encode(),
            ContentType=response.get("ContentType") or "application/json",
            CacheControl=response.get("CacheControl") or DEFAULT_CACHE_CONTROL,
        )

    def _document(self) -> tuple[dict[str, Any], dict[str, Any]]:
        try:
            response = self._client.get_object(Bucket=self._bucket, Key=self._key)
        except self._client.exceptions.NoSuchKey:
            raise SiteConfigMissing(
                f"s3://{self._bucket}/{self._key} does not exist: deploy the site"
            ) from None
        document = json.loads(response["Body"].read())
        if not isinstance(document, dict):
            raise SiteConfigMissing(f"s3://{self._bucket}/{self._key} is not a JSON object")
        return document, response
