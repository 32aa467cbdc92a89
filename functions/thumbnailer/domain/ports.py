"""Ports of the thumbnailer: where photos are stored, and what turns one into smaller copies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from functions.thumbnailer.domain.models import Rendition


class PhotoStore(Protocol):
    """The photos bucket. Failures to reach it propagate (they are transient: the message is retried)."""

    def size(self, key: str) -> int | None:
        """The object's size in bytes, or None when there is no such object."""
        ...

    def read(self, key: str, *, limit: int) -> bytes:
        """The object's first ``limit + 1`` bytes at most (so an object over ``limit`` is recognisable)."""
        ...

    def write(self, key: str, data: bytes, *, content_type: str, cache_control: str) -> None:
        """Store ``data`` at ``key``."""
        ...


class ImageRenderer(Protocol):
    """Decodes an uploaded image and encodes resized copies of it."""

    def render(self, data: bytes, widths: Sequence[int]) -> list[Rendition]:
        """One copy per distinct width (never wider than the image, smallest first), EXIF orientation applied
        and metadata left out. ``UnusableUpload`` when ``data`` is not an image it can safely decode."""
        ...
