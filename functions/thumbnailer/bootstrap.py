"""The one place that wires the thumbnailer's adapters to its service, from the function's environment.

Configuration is read when the handler runs (never at import); boto3 and Pillow are imported only when the
service is first built, so importing the handler stays cheap (and works where Pillow's binary wheel does not).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from functions.thumbnailer.domain.errors import ConfigurationError
from functions.thumbnailer.domain.thumbnail_service import ThumbnailService

DEFAULT_MAX_PHOTO_BYTES = 10 * 1024 * 1024
DEFAULT_WIDTHS = (320, 1024)
MAX_WIDTH = 4096


@dataclass(frozen=True)
class Settings:
    """What the thumbnailer needs from its environment."""

    photos_bucket: str
    max_photo_bytes: int
    widths: tuple[int, ...]
    region: str | None
    endpoint_overrides: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """Read and check the variables; a missing or malformed one is a ``ConfigurationError``."""
        bucket = environ.get("PHOTOS_BUCKET", "").strip()
        if not bucket:
            raise ConfigurationError("The environment variable PHOTOS_BUCKET is not set")
        raw_max = environ.get("MAX_PHOTO_BYTES", "").strip() or str(DEFAULT_MAX_PHOTO_BYTES)
        raw_widths = environ.get("THUMBNAIL_WIDTHS", "").strip() or ",".join(map(str, DEFAULT_WIDTHS))
        try:
            max_bytes = int(raw_max)
            widths = tuple(sorted({int(part) for part in raw_widths.split(",")}))
        except ValueError:
            raise ConfigurationError(
                f"MAX_PHOTO_BYTES must be a whole number and THUMBNAIL_WIDTHS whole numbers separated by "
                f"commas (not {raw_max!r}, {raw_widths!r})"
            ) from None
        if max_bytes < 1 or not widths or not all(1 <= w <= MAX_WIDTH for w in widths):
            raise ConfigurationError(
                f"MAX_PHOTO_BYTES must be positive and each thumbnail width 1 to {MAX_WIDTH} pixels"
            )
        return cls(
            photos_bucket=bucket,
            max_photo_bytes=max_bytes,
            widths=widths,
            region=environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or None,
            endpoint_overrides=tuple(
                sorted((k, v) for k, v in environ.items() if k.startswith("AWS_ENDPOINT_URL"))
            ),
        )


class Services:
    """The thumbnailer's service, built the first time it is used.

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
    def thumbnails(self) -> ThumbnailService:
        """Thumbnails of uploads in the photos bucket."""
        from botocore.config import Config

        from functions.thumbnailer.adapters.pillow_renderer import PillowRenderer
        from functions.thumbnailer.adapters.s3_photos import S3PhotoStore

        # A bucket that cannot be reached fails the message in seconds (it is retried), not in minutes.
        config = Config(connect_timeout=5, read_timeout=20, retries={"max_attempts": 3, "mode": "standard"})
        store = S3PhotoStore(self._session.client("s3", config=config), self.settings.photos_bucket)
        return ThumbnailService(
            store, PillowRenderer(), max_bytes=self.settings.max_photo_bytes, widths=self.settings.widths
        )


@lru_cache(maxsize=8)
def _services_for(settings: Settings) -> Services:
    # Reused across warm invocations; keyed by settings so a changed environment is honoured.
    return Services(settings)


def services(environ: Mapping[str, str] | None = None) -> Services:
    """The services for the current environment (``os.environ`` unless given)."""
    return _services_for(Settings.from_environ(os.environ if environ is None else environ))
