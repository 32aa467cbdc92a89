"""Use case: a short-lived upload URL for the photo of one of the caller's posts."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from functions.photo_layout import PhotoUpload
from resolvers.post_photos.domain.errors import UnauthorizedError, ValidationError
from resolvers.post_photos.domain.models import PostImageUpload, aws_datetime
from resolvers.post_photos.domain.ports import PostPhotoClaims, UploadSigner

# The image types a post's photo may be, and the extension its key gets.
IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}
# Post ids and subs are one safe path segment of the photo's key.
_SEGMENT = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


class PostPhotoService:
    """Upload URLs for posts' photos, to `originals/<sub>/<postId>/<photoId>.<ext>` in the photos bucket.

    Parameters
    ----------
    posts
        Records which upload a post awaits.
    signer
        Presigns uploads.
    clock
        Returns the current time (timezone-aware).
    new_id
        Returns a fresh photo id.
    max_bytes
        The largest photo accepted.
    url_ttl_seconds
        How long an upload URL stays valid.
    """

    def __init__(
        self,
        posts: PostPhotoClaims,
        signer: UploadSigner,
        *,
        clock: Callable[[], datetime],
        new_id: Callable[[], str],
        max_bytes: int,
        url_ttl_seconds: int,
    ) -> None:
        self._posts = posts
        self._signer = signer
        self._clock = clock
        self._new_id = new_id
        self._max_bytes = max_bytes
        self._ttl = url_ttl_seconds

    def create_upload_url(self, author_id: str, post_id: object, content_type: object) -> PostImageUpload:
        """A presigned POST for a new photo of ``post_id``, which must be ``author_id``'s post.

        The post records the new key as the upload it awaits (PENDING) before the URL is handed out, so only
        the most recent upload of a post ever becomes its image.
        """
        extension = _image_extension(content_type)
        if not isinstance(post_id, str) or not _SEGMENT.match(post_id):
            raise ValidationError("postId is not a post id")
        if not _SEGMENT.match(author_id):
            # A sub that is not a single safe segment could name another folder; refuse rather than guess.
            raise UnauthorizedError("The caller's identity cannot own photos")
        now = self._clock()
        key = PhotoUpload(author_id, post_id, self._new_id(), extension).key
        self._posts.await_photo(post_id, author_id=author_id, photo_key=key, updated_at=aws_datetime(now))
        presigned = self._signer.presign_post(
            key, content_type=_media_type(content_type), max_bytes=self._max_bytes, expires_in=self._ttl
        )
        return PostImageUpload(
            url=presigned.url,
            fields=presigned.fields,
            key=key,
            expires_at=aws_datetime(now + timedelta(seconds=self._ttl)),
            max_bytes=self._max_bytes,
        )


def _media_type(content_type: object) -> str:
    """A content type as compared: trimmed and lower-case (`Image/JPEG` is `image/jpeg`)."""
    return content_type.strip().lower() if isinstance(content_type, str) else ""


def _image_extension(content_type: object) -> str:
    extension = IMAGE_TYPES.get(_media_type(content_type))
    if extension is None:
        raise ValidationError(f"contentType must be one of {', '.join(IMAGE_TYPES)}")
    return extension
