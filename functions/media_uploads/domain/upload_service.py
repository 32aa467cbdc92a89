"""One uploaded media file, checked and recorded on its media item."""

from __future__ import annotations

from collections.abc import Callable

from functions.media_layout import IMAGE_TYPES, MEDIA_TYPES, MediaUpload, media_type
from functions.media_uploads.domain.errors import UnusableUpload
from functions.media_uploads.domain.models import StoredObject, UploadResult
from functions.media_uploads.domain.ports import MediaObjects, MediaRecords, PosterRenderer

# A poster's key names one upload (a new upload gets a new key), so it never changes: cache it for good.
POSTER_CACHE_CONTROL = "public, max-age=31536000, immutable"
# Posters are made from images up to this size; a larger image is still playable, without a poster.
MAX_POSTER_SOURCE_BYTES = 50 * 1024 * 1024


class MediaUploadService:
    """Turns an upload into its item's file: READY with its type, size and (for an image) a poster, or FAILED
    with a short reason for an upload that can never be played.

    Only the upload an item awaits counts (the one its latest upload URL named): any other (an older upload, an
    item deleted since, a notification delivered twice) is IGNORED and changes nothing.

    Parameters
    ----------
    records
        The Media table.
    objects
        The media bucket.
    renderer
        Makes posters of images (the item keeps the poster's key; its URL is made when the item is read).
    max_bytes
        The largest file accepted (the upload URL allowed no more).
    clock
        Returns the current time as an AWSDateTime.
    """

    def __init__(
        self,
        records: MediaRecords,
        objects: MediaObjects,
        renderer: PosterRenderer,
        *,
        max_bytes: int,
        clock: Callable[[], str],
    ) -> None:
        self._records = records
        self._objects = objects
        self._renderer = renderer
        self._max_bytes = max_bytes
        self._clock = clock

    def record(self, upload: MediaUpload) -> UploadResult:
        """Check ``upload`` and record the outcome on its item; a failure to reach a store propagates."""
        exists, awaited = self._records.awaited_upload(upload.media_id)
        if not exists:
            return UploadResult("IGNORED", "the media item no longer exists")
        if awaited != upload.key:
            return UploadResult("IGNORED", "the media item does not await this upload")
        stored = self._objects.describe(upload.key)
        if stored is None:
            return UploadResult("IGNORED", "the upload no longer exists")
        try:
            content_type = self._checked_type(stored)
            poster_key = self._poster(upload, stored, content_type)
        except UnusableUpload as unusable:
            failed = self._records.mark_failed(
                upload.media_id, upload.key, reason=str(unusable), updated_at=self._clock()
            )
            return UploadResult("FAILED" if failed else "IGNORED", str(unusable))
        ready = self._records.mark_ready(
            upload.media_id,
            upload.key,
            content_type=content_type,
            size=stored.size,
            poster_key=poster_key,
            updated_at=self._clock(),
        )
        if not ready:
            return UploadResult("IGNORED", "the media item no longer awaits this upload")
        return UploadResult("READY", poster_key=poster_key)

    def _checked_type(self, stored: StoredObject) -> str:
        kind = media_type(stored.content_type)
        if kind not in MEDIA_TYPES:
            shown = stored.content_type or "none"
            raise UnusableUpload(f"the upload's type ({shown[:100]}) is not one of {', '.join(MEDIA_TYPES)}")
        if stored.size == 0:
            raise UnusableUpload("the upload is empty")
        if stored.size > self._max_bytes:
            raise UnusableUpload(f"the upload is {stored.size} bytes; the limit is {self._max_bytes}")
        return kind

    def _poster(self, upload: MediaUpload, stored: StoredObject, content_type: str) -> str | None:
        """The poster's key, once written, for an image; None for anything else (or an image too big for one)."""
        if content_type not in IMAGE_TYPES or stored.size > MAX_POSTER_SOURCE_BYTES:
            return None
        data = self._objects.read(upload.key, limit=MAX_POSTER_SOURCE_BYTES)
        if len(data) > MAX_POSTER_SOURCE_BYTES:  # replaced by a bigger object since it was described
            return None
        poster = self._renderer.render(data)
        self._objects.write(
            upload.poster_key, poster.data, content_type="image/jpeg", cache_control=POSTER_CACHE_CONTROL
        )
        return upload.poster_key
