"""Ports of the media uploads function: the Media table, the media bucket, and what makes posters."""

from __future__ import annotations

from typing import Protocol

from functions.media_uploads.domain.models import Poster, StoredObject


class MediaRecords(Protocol):
    """The Media table, as far as uploads go. Failures to reach it propagate (the message is retried)."""

    def awaited_upload(self, media_id: str) -> tuple[bool, str | None]:
        """Whether the item exists, and the key of the upload it awaits (None when it awaits none)."""
        ...

    def mark_ready(
        self,
        media_id: str,
        upload_key: str,
        *,
        content_type: str,
        size: int,
        poster_key: str | None,
        updated_at: str,
    ) -> bool:
        """Make ``upload_key`` the item's playable file (READY, its type, size and poster, or none), in one write
        conditional on the item still awaiting that upload; False when it no longer does."""
        ...

    def mark_failed(self, media_id: str, upload_key: str, *, reason: str, updated_at: str) -> bool:
        """Record that ``upload_key`` was refused (FAILED with ``reason``), in one write conditional on the item
        still awaiting that upload; False when it no longer does."""
        ...


class MediaObjects(Protocol):
    """The media bucket. Failures to reach it propagate (they are transient: the message is retried)."""

    def describe(self, key: str) -> StoredObject | None:
        """The object's Content-Type and size, or None when there is no such object."""
        ...

    def read(self, key: str, *, limit: int) -> bytes:
        """The object's first ``limit + 1`` bytes at most (so an object over ``limit`` is recognisable)."""
        ...

    def write(self, key: str, data: bytes, *, content_type: str, cache_control: str) -> None:
        """Store ``data`` at ``key``."""
        ...


class PosterRenderer(Protocol):
    """Decodes an uploaded image and encodes its poster."""

    def render(self, data: bytes) -> Poster:
        """A JPEG at most the poster width wide (never enlarged), upright, without metadata.
        ``UnusableUpload`` when ``data`` is not an image it can safely decode."""
        ...
