"""Turn a thumbnail manifest into the post's image."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

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
    """Reads a manifest and attaches what it reports to its post, with public URLs for the photo and its sizes.

    Parameters
    ----------
    manifests
        Where manifests are read.
    posts
        The API that updates posts.
    photos_base_url
        The public base URL of the photos bucket (its CDN); an object's URL is ``<base>/<key>``.
    """

    def __init__(self, manifests: ManifestStore, posts: PostImages, *, photos_base_url: str) -> None:
        self._manifests = manifests
        self._posts = posts
        self._base_url = photos_base_url.rstrip("/")

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
        """What ``manifest`` gives its post: the original and its sizes (smallest first) as public URLs."""
        if manifest.status == "FAILED":
            return PostImage(
                manifest.post_id, manifest.photo_key, "FAILED", error=manifest.error or "the upload failed"
            )
        return PostImage(
            manifest.post_id,
            manifest.photo_key,
            "READY",
            photo_url=self.url(manifest.photo_key),
            thumbnails=tuple(Thumbnail(t.width, t.height, self.url(t.key)) for t in manifest.thumbnails),
        )

    def url(self, key: str) -> str:
        """The public URL of the object at ``key``."""
        return f"{self._base_url}/{quote(key)}"
