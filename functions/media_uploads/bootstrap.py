"""The one place that wires the media uploads adapters to its service, from the function's environment.

Configuration is read when the handler runs (never at import); boto3 and Pillow are imported only when the
service is first built, so importing the handler stays cheap.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from typing import Any

from functions.media_uploads.domain.errors import ConfigurationError
from functions.media_uploads.domain.upload_service import MediaUploadService

DEFAULT_MAX_MEDIA_BYTES = 1024**3


@dataclass(frozen=True)
class Settings:
    """What the media uploads function needs from its environment."""

    media_table: str
    media_bucket: str
    max_media_bytes: int
    region: str | None
    endpoint_overrides: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """Read and check the variables; a missing or malformed one is a ``ConfigurationError``."""

        def required(name: str) -> str:
            value = environ.get(name, "").strip()
            if not value:
                raise ConfigurationError(f"The environment variable {name} is not set")
            return value

        raw_max = environ.get("MAX_MEDIA_BYTES", "").strip() or str(DEFAULT_MAX_MEDIA_BYTES)
        try:
            max_bytes = int(raw_max)
        except ValueError:
            raise ConfigurationError(f"MAX_MEDIA_BYTES must be a whole number, not {raw_max!r}") from None
        if max_bytes < 1:
            raise ConfigurationError("MAX_MEDIA_BYTES must be positive")
        return cls(
            media_table=required("MEDIA_TABLE"),
            media_bucket=required("MEDIA_BUCKET"),
            max_media_bytes=max_bytes,
            region=environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or None,
            endpoint_overrides=tuple(
                sorted((k, v) for k, v in environ.items() if k.startswith("AWS_ENDPOINT_URL"))
            ),
        )


def _now() -> str:
    moment = datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class Services:
    """The media uploads service, built the first time it is used.

    Parameters
    ----------
    settings
        The function's configuration.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def _session(self) -> Any:
        import boto3.session  # deferred: boto3 costs more to import than the rest of the handler

        return boto3.session.Session(region_name=self.settings.region)

    @cached_property
    def uploads(self) -> MediaUploadService:
        """Recording uploads of media files."""
        from botocore.config import Config

        from functions.media_uploads.adapters.dynamodb_media import DynamoDbMediaRecords
        from functions.media_uploads.adapters.pillow_poster import PillowPosterRenderer
        from functions.media_uploads.adapters.s3_media import S3MediaObjects

        # A store that cannot be reached fails the message in seconds (it is retried), not in minutes.
        config = Config(connect_timeout=5, read_timeout=20, retries={"max_attempts": 3, "mode": "standard"})
        table = self._session.resource("dynamodb", config=config).Table(self.settings.media_table)
        objects = S3MediaObjects(self._session.client("s3", config=config), self.settings.media_bucket)
        return MediaUploadService(
            DynamoDbMediaRecords(table),
            objects,
            PillowPosterRenderer(),
            max_bytes=self.settings.max_media_bytes,
            clock=_now,
        )


@lru_cache(maxsize=8)
def _services_for(settings: Settings) -> Services:
    # Reused across warm invocations; keyed by settings so a changed environment is honoured.
    return Services(settings)


def services(environ: Mapping[str, str] | None = None) -> Services:
    """The services for the current environment (``os.environ`` unless given)."""
    return _services_for(Settings.from_environ(os.environ if environ is None else environ))
