"""The one place that wires the post-photos adapters to its service, from the function's environment.

Configuration is read when a handler runs (never at import), and boto3 is imported only when the service is
first built, so importing the handler stays cheap and tests can import it freely.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from typing import Any

from resolvers.post_photos.domain.errors import ConfigurationError
from resolvers.post_photos.domain.photo_service import PostPhotoService

DEFAULT_MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_POST_BYTES = 5 * 1024**3  # S3's limit for a single POST upload
DEFAULT_UPLOAD_URL_TTL_SECONDS = 300
MAX_UPLOAD_URL_TTL_SECONDS = 7 * 24 * 3600  # SigV4 presigned requests cannot outlive a week


@dataclass(frozen=True)
class Settings:
    """What the post-photos function needs from its environment."""

    posts_table: str
    photos_bucket: str
    max_photo_bytes: int
    upload_url_ttl_seconds: int
    region: str | None
    # The endpoint overrides are part of the settings so that a changed endpoint gets fresh clients.
    endpoint_overrides: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """Read and check the variables; a missing or malformed one is a ``ConfigurationError``."""

        def required(name: str) -> str:
            value = environ.get(name, "").strip()
            if not value:
                raise ConfigurationError(f"The environment variable {name} is not set")
            return value

        def whole_number(name: str, default: int, largest: int) -> int:
            raw = environ.get(name, "").strip() or str(default)
            try:
                value = int(raw)
            except ValueError:
                raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from None
            if not 1 <= value <= largest:
                raise ConfigurationError(f"{name} must be between 1 and {largest}")
            return value

        return cls(
            posts_table=required("POSTS_TABLE"),
            photos_bucket=required("PHOTOS_BUCKET"),
            max_photo_bytes=whole_number("MAX_PHOTO_BYTES", DEFAULT_MAX_PHOTO_BYTES, MAX_POST_BYTES),
            upload_url_ttl_seconds=whole_number(
                "UPLOAD_URL_TTL_SECONDS", DEFAULT_UPLOAD_URL_TTL_SECONDS, MAX_UPLOAD_URL_TTL_SECONDS
            ),
            region=environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or None,
            endpoint_overrides=tuple(
                sorted((k, v) for k, v in environ.items() if k.startswith("AWS_ENDPOINT_URL"))
            ),
        )

    @property
    def s3_endpoint_configured(self) -> bool:
        """Whether S3 requests go to an endpoint other than AWS's own."""
        return any(name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3") for name, _ in self.endpoint_overrides)


def _now() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return str(uuid.uuid4())


class Services:
    """The post-photos service, built (with its AWS clients) the first time it is used.

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
    def photos(self) -> PostPhotoService:
        """Upload URLs for posts' photos."""
        from resolvers.post_photos.adapters.dynamodb_posts import DynamoDbPostPhotoClaims
        from resolvers.post_photos.adapters.s3_presigned_post import S3PresignedPostSigner, s3_client

        posts = DynamoDbPostPhotoClaims(self._session.resource("dynamodb").Table(self.settings.posts_table))
        client = s3_client(self._session, endpoint_configured=self.settings.s3_endpoint_configured)
        return PostPhotoService(
            posts,
            S3PresignedPostSigner(client, self.settings.photos_bucket),
            clock=_now,
            new_id=_new_id,
            max_bytes=self.settings.max_photo_bytes,
            url_ttl_seconds=self.settings.upload_url_ttl_seconds,
        )


@lru_cache(maxsize=8)
def _services_for(settings: Settings) -> Services:
    # Reused across warm invocations; keyed by settings so a changed environment is honoured.
    return Services(settings)


def services(environ: Mapping[str, str] | None = None) -> Services:
    """The services for the current environment (``os.environ`` unless given)."""
    return _services_for(Settings.from_environ(os.environ if environ is None else environ))
