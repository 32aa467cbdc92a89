"""Ports: what the photo service needs from storage and signing. Adapters (and test fakes) implement them."""

from __future__ import annotations

from typing import Protocol

from resolvers.post_photos.domain.models import PresignedPost


class PostPhotoClaims(Protocol):
    """The Posts table, as far as photos go."""

    def await_photo(self, post_id: str, *, author_id: str, photo_key: str, updated_at: str) -> None:
        """Record that ``post_id`` now awaits the upload ``photo_key`` (image status PENDING, no error), in
        one conditional write that succeeds only on a post by ``author_id``; ``NotFoundError`` otherwise."""
        ...


class UploadSigner(Protocol):
    """Presigns uploads into the photos bucket."""

    def presign_post(self, key: str, *, content_type: str, max_bytes: int, expires_in: int) -> PresignedPost:
        """A POST policy for exactly ``key``, with exactly ``content_type``, of 1 to ``max_bytes`` bytes."""
        ...
