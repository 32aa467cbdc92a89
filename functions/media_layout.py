"""Where media files live in the `premium-media` bucket, and which files a media item may be.

One upload is `media/<mediaId>/<uploadId>.<ext>`: the key `createMediaUploadUrl` presigns and records on the
media item as the upload it awaits (`uploadKey`); the bucket notifies the `media-uploads` queue of it. The
poster made from an image upload is `posters/<mediaId>/<uploadId>.jpg`, a public path of the CDN (everything
else needs a signed URL); a new upload gets a new poster key, so a poster never changes once written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MEDIA_PREFIX = "media/"
POSTERS_PREFIX = "posters/"

# The types a media file may be, and the extension its key gets.
MEDIA_TYPES = {
    "video/mp4": "mp4",
    "video/webm": "webm",
    "audio/mpeg": "mp3",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
}
# The types a poster is made from.
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})

_UPLOAD = re.compile(
    r"^media/(?P<media>[A-Za-z0-9_-]{1,128})/(?P<upload>[A-Za-z0-9_-]{1,128})\.(?P<ext>[a-z0-9]{1,8})$"
)


def media_type(content_type: object) -> str:
    """A content type as compared: its type and subtype, trimmed and lower-case (`Video/MP4; x=y` is `video/mp4`)."""
    if not isinstance(content_type, str):
        return ""
    return content_type.split(";", 1)[0].strip().lower()


@dataclass(frozen=True)
class MediaUpload:
    """One uploaded media file, as its key names it."""

    media_id: str
    upload_id: str
    extension: str

    @property
    def key(self) -> str:
        return f"{MEDIA_PREFIX}{self.media_id}/{self.upload_id}.{self.extension}"

    @property
    def poster_key(self) -> str:
        """Where the poster made from this upload goes."""
        return f"{POSTERS_PREFIX}{self.media_id}/{self.upload_id}.jpg"

    @classmethod
    def from_key(cls, key: str) -> MediaUpload | None:
        """The upload a `media/…` key names, or None for any other key."""
        match = _UPLOAD.match(key)
        if match is None:
            return None
        return cls(match["media"], match["upload"], match["ext"])
