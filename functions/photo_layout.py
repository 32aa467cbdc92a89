"""Where a post's photos live in the `post-photos` bucket, and the manifest that reports what became of one.

One upload is `originals/<userId>/<postId>/<photoId>.<ext>` (the key `createPostImageUploadUrl` presigns and
records on the post as `photoKey`). The thumbnailer writes its sizes under
`thumbnails/<userId>/<postId>/<photoId>/w<width>.<ext>` and then, last, `…/<photoId>/manifest.json`, whose
arrival tells the post-images function that the upload is done with (READY or FAILED).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

ORIGINALS = "originals/"
THUMBNAILS = "thumbnails/"
MANIFEST_NAME = "manifest.json"

_ORIGINAL = re.compile(r"^originals/(?P<user>[^/]+)/(?P<post>[^/]+)/(?P<photo>[^/]+)\.(?P<ext>[A-Za-z0-9]+)$")
_MANIFEST = re.compile(r"^thumbnails/(?P<user>[^/]+)/(?P<post>[^/]+)/(?P<photo>[^/]+)/manifest\.json$")

ManifestStatus = Literal["READY", "FAILED"]


class ManifestError(ValueError):
    """A manifest that is not one the thumbnailer writes."""


@dataclass(frozen=True)
class PhotoUpload:
    """One uploaded original, as its key names it."""

    user_id: str
    post_id: str
    photo_id: str
    extension: str

    @property
    def key(self) -> str:
        return f"{ORIGINALS}{self.user_id}/{self.post_id}/{self.photo_id}.{self.extension}"

    @property
    def thumbnail_folder(self) -> str:
        return f"{THUMBNAILS}{self.user_id}/{self.post_id}/{self.photo_id}/"

    def thumbnail_key(self, width: int, extension: str) -> str:
        """Where the `width`-pixel-wide size goes."""
        return f"{self.thumbnail_folder}w{width}.{extension}"

    @property
    def manifest_key(self) -> str:
        return f"{self.thumbnail_folder}{MANIFEST_NAME}"

    @classmethod
    def from_key(cls, key: str) -> PhotoUpload | None:
        """The upload an `originals/…` key names, or None for any other key."""
        match = _ORIGINAL.match(key)
        if match is None:
            return None
        return cls(match["user"], match["post"], match["photo"], match["ext"])


def is_manifest_key(key: str) -> bool:
    """Whether `key` is a manifest's (`thumbnails/<userId>/<postId>/<photoId>/manifest.json`)."""
    return _MANIFEST.match(key) is not None


@dataclass(frozen=True)
class ThumbnailEntry:
    """One size the thumbnailer made."""

    width: int
    height: int
    key: str


@dataclass(frozen=True)
class Manifest:
    """What became of one upload: READY with its thumbnails (smallest first), or FAILED with a short reason."""

    post_id: str
    user_id: str
    photo_key: str
    status: ManifestStatus
    thumbnails: tuple[ThumbnailEntry, ...] = ()
    error: str | None = None

    def to_json(self) -> str:
        document: dict[str, Any] = {
            "postId": self.post_id,
            "userId": self.user_id,
            "photoKey": self.photo_key,
            "status": self.status,
            "thumbnails": [{"width": t.width, "height": t.height, "key": t.key} for t in self.thumbnails],
        }
        if self.error is not None:
            document["error"] = self.error
        return json.dumps(document, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> Manifest:
        """Read a manifest; `ManifestError` when it is not one."""
        try:
            document = json.loads(text)
            status = document["status"]
            if status not in ("READY", "FAILED"):
                raise ManifestError(f"unknown status {status!r}")
            thumbnails = tuple(
                ThumbnailEntry(width=_positive(t["width"]), height=_positive(t["height"]), key=str(t["key"]))
                for t in document.get("thumbnails") or ()
            )
            manifest = cls(
                post_id=_text(document["postId"]),
                user_id=_text(document["userId"]),
                photo_key=_text(document["photoKey"]),
                status=status,
                thumbnails=tuple(sorted(thumbnails, key=lambda t: t.width)),
                error=None if document.get("error") is None else str(document["error"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ManifestError(f"not a photo manifest: {exc}") from None
        if manifest.status == "READY" and not manifest.thumbnails:
            raise ManifestError("a READY manifest lists its thumbnails")
        return manifest


def _text(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("expected a non-empty string")
    return value


def _positive(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError("expected a positive whole number")
    return value
