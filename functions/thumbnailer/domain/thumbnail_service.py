"""Thumbnails of one upload, and the manifest that reports them, written last."""

from __future__ import annotations

from collections.abc import Sequence

from functions.photo_layout import Manifest, PhotoUpload, ThumbnailEntry
from functions.thumbnailer.domain.errors import UnusableUpload
from functions.thumbnailer.domain.ports import ImageRenderer, PhotoStore

# A thumbnail's key names one photo (a new upload gets a new photo id), so it never changes: cache it for good.
THUMBNAIL_CACHE_CONTROL = "public, max-age=31536000, immutable"
MANIFEST_CACHE_CONTROL = "no-cache"


class ThumbnailService:
    """Makes the sizes of an upload and writes its manifest (READY, or FAILED with a short reason).

    Parameters
    ----------
    store
        The photos bucket.
    renderer
        Decodes and resizes images.
    max_bytes
        The largest upload accepted (the upload URL's policy allows no more).
    widths
        The widths to make, in pixels.
    """

    def __init__(
        self, store: PhotoStore, renderer: ImageRenderer, *, max_bytes: int, widths: Sequence[int]
    ) -> None:
        self._store = store
        self._renderer = renderer
        self._max_bytes = max_bytes
        self._widths = tuple(sorted(set(widths)))

    def make_thumbnails(self, upload: PhotoUpload) -> Manifest | None:
        """Thumbnails of ``upload`` and its manifest; None when the upload no longer exists (nothing to do).

        An upload that can never become thumbnails gets a FAILED manifest instead of an error, so it is not
        retried; a failure to reach the bucket propagates, so the message is retried.
        """
        size = self._store.size(upload.key)
        if size is None:
            return None
        try:
            manifest = self._ready_manifest(upload, self._renditions(upload, size))
        except UnusableUpload as unusable:
            manifest = Manifest(
                post_id=upload.post_id,
                user_id=upload.user_id,
                photo_key=upload.key,
                status="FAILED",
                error=str(unusable),
            )
        # Last: the manifest's arrival means every thumbnail it lists is in place.
        self._store.write(
            upload.manifest_key,
            manifest.to_json().encode(),
            content_type="application/json",
            cache_control=MANIFEST_CACHE_CONTROL,
        )
        return manifest

    def _renditions(self, upload: PhotoUpload, size: int) -> list[tuple[str, int, int]]:
        if size == 0:
            raise UnusableUpload("the upload is empty")
        if size > self._max_bytes:
            raise UnusableUpload(f"the upload is {size} bytes; the limit is {self._max_bytes}")
        data = self._store.read(upload.key, limit=self._max_bytes)
        if len(data) > self._max_bytes:  # replaced by a bigger object since its size was read
            raise UnusableUpload(f"the upload is over {self._max_bytes} bytes")
        written = []
        for rendition in self._renderer.render(data, self._widths):
            key = upload.thumbnail_key(rendition.target_width, rendition.extension)
            self._store.write(
                key,
                rendition.data,
                content_type=rendition.content_type,
                cache_control=THUMBNAIL_CACHE_CONTROL,
            )
            written.append((key, rendition.width, rendition.height))
        return written

    @staticmethod
    def _ready_manifest(upload: PhotoUpload, written: list[tuple[str, int, int]]) -> Manifest:
        return Manifest(
            post_id=upload.post_id,
            user_id=upload.user_id,
            photo_key=upload.key,
            status="READY",
            thumbnails=tuple(ThumbnailEntry(width=w, height=h, key=key) for key, w, h in written),
        )
