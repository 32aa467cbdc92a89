"""The thumbnailer's service with fakes: what it writes, in which order, and what it refuses."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from functions.photo_layout import Manifest, ManifestError, PhotoUpload
from functions.thumbnailer.domain.errors import UnusableUpload
from functions.thumbnailer.domain.models import Rendition
from functions.thumbnailer.domain.thumbnail_service import ThumbnailService

UPLOAD = PhotoUpload("user-1", "post-1", "photo-1", "jpg")


class FakeStore:
    """A bucket in memory that remembers reads and the order of writes; writes of keys ending in
    `unreachable_on_write` fail as an unreachable S3 would."""

    def __init__(self, objects: dict[str, bytes]) -> None:
        self.objects = dict(objects)
        self.writes: list[str] = []
        self.reads: list[str] = []
        self.unreachable_on_write: str | None = None

    def size(self, key: str) -> int | None:
        return len(self.objects[key]) if key in self.objects else None

    def read(self, key: str, *, limit: int) -> bytes:
        self.reads.append(key)
        return self.objects[key][: limit + 1]

    def write(self, key: str, data: bytes, *, content_type: str, cache_control: str) -> None:
        if self.unreachable_on_write and key.endswith(self.unreachable_on_write):
            raise ConnectionError("S3 cannot be reached")
        self.objects[key] = data
        self.writes.append(key)


class FakeRenderer:
    """Renders any bytes starting with b"IMG"; anything else is unusable."""

    def render(self, data: bytes, widths: Sequence[int]) -> list[Rendition]:
        if not data.startswith(b"IMG"):
            raise UnusableUpload("the upload is not a JPEG, PNG, WebP or GIF image")
        return [Rendition(w, w, w // 2, b"W%d" % w, "image/webp", "webp") for w in widths]


def service(store: FakeStore, max_bytes: int = 100) -> ThumbnailService:
    return ThumbnailService(store, FakeRenderer(), max_bytes=max_bytes, widths=(1024, 320))


def test_the_manifest_is_written_after_every_thumbnail() -> None:
    store = FakeStore({UPLOAD.key: b"IMG data"})
    manifest = service(store).make_thumbnails(UPLOAD)
    assert store.writes == [
        "thumbnails/user-1/post-1/photo-1/w320.webp",
        "thumbnails/user-1/post-1/photo-1/w1024.webp",
        "thumbnails/user-1/post-1/photo-1/manifest.json",
    ]
    assert manifest is not None and Manifest.from_json(store.objects[UPLOAD.manifest_key]) == manifest
    assert [(t.width, t.height) for t in manifest.thumbnails] == [(320, 160), (1024, 512)]


def test_an_upload_over_the_limit_is_never_read() -> None:
    store = FakeStore({UPLOAD.key: b"IMG" + b"x" * 200})
    manifest = service(store).make_thumbnails(UPLOAD)
    assert manifest is not None and (manifest.status, manifest.error) == (
        "FAILED",
        "the upload is 203 bytes; the limit is 100",
    )
    assert store.reads == [] and store.writes == [UPLOAD.manifest_key]


def test_a_failure_to_write_a_thumbnail_leaves_no_manifest_and_propagates() -> None:
    store = FakeStore({UPLOAD.key: b"IMG data"})
    store.unreachable_on_write = "w1024.webp"
    with pytest.raises(ConnectionError):
        service(store).make_thumbnails(UPLOAD)
    assert UPLOAD.manifest_key not in store.objects


def test_keys_name_the_user_the_post_and_the_photo() -> None:
    assert PhotoUpload.from_key("originals/u/p/red flower.jpg") == PhotoUpload("u", "p", "red flower", "jpg")
    for key in (
        "originals/u/p/no-extension",
        "originals/u/p/x/y.jpg",
        "thumbnails/u/p/x.jpg",
        "originals/u/x.jpg",
    ):
        assert PhotoUpload.from_key(key) is None


@pytest.mark.parametrize(
    "document",
    [
        b"not json",
        b'{"postId": "p", "userId": "u", "photoKey": "k", "status": "DONE", "thumbnails": []}',
        b'{"postId": "p", "userId": "u", "photoKey": "k", "status": "READY", "thumbnails": []}',
        b'{"postId": "p", "userId": "u", "photoKey": "k", "status": "READY", "thumbnails": [{"width": 0, "height": 1, "key": "x"}]}',
    ],
)
def test_what_is_not_a_manifest_is_refused(document: bytes) -> None:
    with pytest.raises(ManifestError):
        Manifest.from_json(document)
