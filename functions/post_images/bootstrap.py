"""The one place that wires the post-images adapters to its service, from the function's environment.

Configuration is read when the handler runs (never at import); boto3 is imported only when the service is
first built.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from functions.post_images.domain.errors import ConfigurationError
from functions.post_images.domain.post_image_service import PostImageService


@dataclass(frozen=True)
class Settings:
    """What the post-images function needs from its environment."""

    photos_bucket: str
    graphql_url: str
    region: str
    endpoint_overrides: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """Read and check the variables; a missing or malformed one is a ``ConfigurationError``."""

        def url(name: str) -> str:
            value = environ.get(name, "").strip()
            if not value.startswith(("https://", "http://")):
                raise ConfigurationError(
                    f"The environment variable {name} must be an http(s) URL, not {value!r}"
                )
            return value

        bucket = environ.get("PHOTOS_BUCKET", "").strip()
        if not bucket:
            raise ConfigurationError("The environment variable PHOTOS_BUCKET is not set")
        return cls(
            photos_bucket=bucket,
            graphql_url=url("GRAPHQL_URL"),
            region=environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or "us-east-1",
            endpoint_overrides=tuple(
                sorted((k, v) for k, v in environ.items() if k.startswith("AWS_ENDPOINT_URL"))
            ),
        )


class Services:
    """The post-images service, built the first time it is used.

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
    def post_images(self) -> PostImageService:
        """Attaches finished uploads to their posts."""
        from functions.post_images.adapters.appsync_posts import AppSyncPostImages
        from functions.post_images.adapters.s3_manifests import S3ManifestStore

        manifests = S3ManifestStore(self._session.client("s3"), self.settings.photos_bucket)
        posts = AppSyncPostImages(self.settings.graphql_url, self.settings.region)
        return PostImageService(manifests, posts)


@lru_cache(maxsize=8)
def _services_for(settings: Settings) -> Services:
    # Reused across warm invocations; keyed by settings so a changed environment is honoured.
    return Services(settings)


def services(environ: Mapping[str, str] | None = None) -> Services:
    """The services for the current environment (``os.environ`` unless given)."""
    return _services_for(Settings.from_environ(os.environ if environ is None else environ))
