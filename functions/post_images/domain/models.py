"""The image a finished upload gives its post (the `AttachPostImageInput` of the API)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from functions.photo_layout import ManifestStatus


@dataclass(frozen=True)
class Thumbnail:
    width: int
    height: int
    key: str  # in the photos bucket


@dataclass(frozen=True)
class PostImage:
    """What `attachPostImage` records on the post, for the upload `photo_key` only."""

    post_id: str
    photo_key: str
    status: ManifestStatus
    thumbnails: tuple[Thumbnail, ...] = ()
    error: str | None = None

    def to_input(self) -> dict[str, Any]:
        """The mutation's `input`."""
        value: dict[str, Any] = {"postId": self.post_id, "photoKey": self.photo_key, "status": self.status}
        if self.status == "READY":
            value["thumbnails"] = [
                {"width": t.width, "height": t.height, "key": t.key} for t in self.thumbnails
            ]
        else:
            value["error"] = self.error
        return value
