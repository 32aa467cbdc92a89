"""Turn a thumbnail manifest into the post's image."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from functions.photo_layout import Manifest
from functions.post_images.domain.errors import StaleUpload
from functions.post_images.domain.models import PostImage, Thumbnail
from functions.post_images.domain.ports import ManifestStore, PostImages

AttachStatus = Literal["ATTACHED", "STALE", "GONE"]


@dataclass(frozen=True)
class AttachOutcome:
    """ATTACHED (the post has the image, READY or FAILED), STALE (the post no longer wants it) or GONE (no
    manifest at that key any more)."""

    status: AttachStatus
    image: PostImage | None = None


class PostImageService:
    """Reads a manifest and attaches what it reports to its post: the photo's and its sizes' keys, which the API
    shows through the photos' CDN.

    Parameters
    ----------
    manifests
        Where manifests are read.
    posts
        The API that updates posts.
    """

    def __init__(self, manifests: ManifestStore, posts: PostImages) -> None:
        self._manifests = manifests
        self._posts = posts

    def attach(self, manifest_key: str) -> AttachOutcome:
        """Attach the manifest at ``manifest_key``. A malformed manifest raises ``ManifestError``."""
        document = self._manifests.read(manifest_key)
        if document is None:
            return AttachOutcome("GONE")
        image = self.post_image(Manifest.from_json(document))
        try:
            self._posts.attach(image)
        except StaleUpload:
            return AttachOutcome("STALE", image)
        return AttachOutcome("ATTACHED", image)

    def post_image(self, manifest: Manifest) -> PostImage:
        """What ``manifest`` gives its post: the original's key and its sizes' (smallest first)."""
        if manifest.status == "FAILED":
            return PostImage(
                manifest.post_id, manifest.photo_key, "FAILED", error=manifest.error or "the upload failed"
            )
        return PostImage(
            manifest.post_id,
            manifest.photo_key,
            "READY",
            thumbnails=tuple(Thumbnail(t.width, t.height, t.key) for t in manifest.thumbnails),
        )
