"""Ports of the post-images function: where manifests are read, and the API that updates posts."""

from __future__ import annotations

from typing import Any, Protocol

from functions.post_images.domain.models import PostImage


class ManifestStore(Protocol):
    """The photos bucket. Failures to reach it propagate (the message is retried)."""

    def read(self, key: str) -> bytes | None:
        """The object's bytes, or None when there is no such object."""
        ...


class PostImages(Protocol):
    """The API's `attachPostImage`.

    Implementations raise ``StaleUpload`` when the API refuses the image because the post is gone or awaits
    another upload; any other failure propagates (the message is retried).
    """

    def attach(self, image: PostImage) -> dict[str, Any]:
        """Record ``image`` on its post; the post as the mutation returns it."""
        ...
