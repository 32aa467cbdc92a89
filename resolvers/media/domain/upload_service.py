"""Use case: a presigned PUT for a media item's file, checked before anything is signed."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from functions.media_layout import MEDIA_TYPES, MediaUpload, media_type
from resolvers.media.domain.errors import ValidationError
from resolvers.media.domain.models import MediaUploadUrl, aws_datetime
from resolvers.media.domain.ports import MediaCatalog, UploadSigner

# Media ids are one safe path segment of the file's key.
_SEGMENT = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


class MediaUploadService:
    """Upload URLs for media files, to `media/<mediaId>/<uploadId>.<ext>` in the media bucket.

    Parameters
    ----------
    catalog
        Records which upload a media item awaits.
    signer
        Presigns uploads.
    clock
        Returns the current time (timezone-aware).
    new_id
        Returns a fresh upload id.
    max_bytes
        The largest file accepted.
    url_ttl_seconds
        How long an upload URL stays valid.
    """

    def __init__(
        self,
        catalog: MediaCatalog,
        signer: UploadSigner,
        *,
        clock: Callable[[], datetime],
        new_id: Callable[[], str],
        max_bytes: int,
        url_ttl_seconds: int,
    ) -> None:
        self._catalog = catalog
        self._signer = signer
        self._clock = clock
        self._new_id = new_id
        self._max_bytes = max_bytes
        self._ttl = url_ttl_seconds

    def create_upload_url(self, media_id: object, content_type: object, size: object) -> MediaUploadUrl:
        """A presigned PUT of ``size`` bytes of ``content_type`` for ``media_id``'s file.

        The type and the size are checked first (``ValidationError``), then the item records the new key as the
        upload it awaits (PENDING_UPLOAD; ``NotFoundError`` when it is missing), and only then is the URL
        signed, with the Content-Type and Content-Length in the signature: S3 takes nothing else with it.
        """
        kind = media_type(content_type)
        extension = MEDIA_TYPES.get(kind)
        if extension is None:
            raise ValidationError(f"contentType must be one of {', '.join(MEDIA_TYPES)}")
        if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= self._max_bytes:
            raise ValidationError(f"size must be 1 to {self._max_bytes} bytes")
        if not isinstance(media_id, str) or not _SEGMENT.match(media_id):
            raise ValidationError("id is not a media id")
        now = self._clock()
        key = MediaUpload(media_id, self._new_id(), extension).key
        self._catalog.await_upload(media_id, upload_key=key, updated_at=aws_datetime(now))
        url = self._signer.presign_put(key, content_type=kind, size=size, expires_in=self._ttl)
        return MediaUploadUrl(
            url=url,
            method="PUT",
            content_type=kind,
            size=size,
            expires_at=aws_datetime(now + timedelta(seconds=self._ttl)),
        )
