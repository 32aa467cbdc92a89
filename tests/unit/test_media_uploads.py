"""Media uploads: the upload URL is refused before signing unless its type and size are allowed, and an upload
becomes its item's file (READY, a poster for an image) or is refused once (FAILED) or ignored (not awaited)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from functions.media_layout import MediaUpload
from functions.media_uploads.domain.upload_service import MediaUploadService as UploadRecorder
from resolvers.media.domain.errors import NotFoundError, ValidationError
from resolvers.media.domain.upload_service import MediaUploadService
from tests.fakes.media import (
    FakePosterRenderer,
    InMemoryCatalog,
    InMemoryMediaObjects,
    InMemoryMediaRecords,
    InMemoryUploadSigner,
    media_item,
)

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
MAX_BYTES = 10_000
CDN = "https://media.example.com"


# --- createMediaUploadUrl ----------------------------------------------------------------------------------


@pytest.fixture
def catalog() -> InMemoryCatalog:
    return InMemoryCatalog(media_item("m1", status="FAILED", status_reason="an earlier upload was empty"))


@pytest.fixture
def uploads(catalog: InMemoryCatalog) -> MediaUploadService:
    return MediaUploadService(
        catalog,
        InMemoryUploadSigner(),
        clock=lambda: NOW,
        new_id=lambda: "u2",
        max_bytes=MAX_BYTES,
        url_ttl_seconds=900,
    )


def test_an_upload_url_signs_the_type_and_size_and_the_item_awaits_it(
    uploads: MediaUploadService, catalog: InMemoryCatalog
) -> None:
    # WHEN an admin asks to upload 5000 bytes of WebM (typed in capitals, with a parameter)
    upload = uploads.create_upload_url("m1", " Video/WebM; codecs=vp9 ", 5000)
    # THEN the PUT goes to a new key under the item, signed for exactly that type and size
    assert (upload.method, upload.content_type, upload.size) == ("PUT", "video/webm", 5000)
    assert upload.url == (
        "memory://premium-media/media/m1/u2.webm?method=PUT&content-type=video%2Fwebm"
        "&content-length=5000&expires=900"
    )
    assert upload.expires_at == "2024-05-01T12:15:00.000Z"
    # AND the item now awaits that upload, PENDING_UPLOAD, its old reason gone
    item = catalog.items["m1"]
    assert (item.upload_key, item.status, item.status_reason) == ("media/m1/u2.webm", "PENDING_UPLOAD", None)


@pytest.mark.parametrize(
    ("content_type", "size", "message"),
    [
        ("text/html", 10, "contentType must be one of video/mp4, video/webm, audio/mpeg, image/jpeg"),
        ("image/svg+xml", 10, "contentType must be one of"),
        ("", 10, "contentType must be one of"),
        ("video/mp4", 0, f"size must be 1 to {MAX_BYTES} bytes"),
        ("video/mp4", MAX_BYTES + 1, f"size must be 1 to {MAX_BYTES} bytes"),
        ("video/mp4", True, f"size must be 1 to {MAX_BYTES} bytes"),
        ("video/mp4", 10.5, f"size must be 1 to {MAX_BYTES} bytes"),
    ],
)
def test_a_type_or_size_not_allowed_is_refused_before_anything_is_signed_or_written(
    uploads: MediaUploadService, catalog: InMemoryCatalog, content_type: str, size: object, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        uploads.create_upload_url("m1", content_type, size)
    assert catalog.items["m1"].upload_key is None


def test_the_largest_allowed_size_is_accepted(uploads: MediaUploadService) -> None:
    assert uploads.create_upload_url("m1", "audio/mpeg", MAX_BYTES).url.startswith(
        "memory://premium-media/media/m1/u2.mp3?"
    )


def test_a_missing_item_or_an_id_that_is_not_one_is_refused(uploads: MediaUploadService) -> None:
    with pytest.raises(NotFoundError, match="Media 'm9' not found"):
        uploads.create_upload_url("m9", "video/mp4", 10)
    with pytest.raises(ValidationError, match="id is not a media id"):
        uploads.create_upload_url("../posters/m1", "video/mp4", 10)


# --- the media-uploads function's domain -------------------------------------------------------------------

UPLOAD = MediaUpload("m1", "u2", "jpg")


def recorder(records: InMemoryMediaRecords, objects: InMemoryMediaObjects) -> UploadRecorder:
    return UploadRecorder(records, objects, FakePosterRenderer(), max_bytes=MAX_BYTES, clock=lambda: "t")


def test_an_awaited_image_becomes_the_items_file_with_a_poster() -> None:
    # GIVEN an item awaiting an image upload that has arrived
    records, objects = InMemoryMediaRecords(m1=UPLOAD.key), InMemoryMediaObjects()
    objects.write(UPLOAD.key, b"IMAGE bytes", content_type="image/jpeg", cache_control="")
    # WHEN it is recorded
    result = recorder(records, objects).record(UPLOAD)
    # THEN the item is READY with the file's type and size, and a poster under the public path
    assert (result.outcome, result.poster_key) == ("READY", "posters/m1/u2.jpg")
    assert records.recorded["m1"] == {
        "status": "READY",
        "objectKey": "media/m1/u2.jpg",
        "contentType": "image/jpeg",
        "size": 11,
        "posterKey": "posters/m1/u2.jpg",
    }
    assert objects.objects["posters/m1/u2.jpg"] == ("image/jpeg", b"POSTER:IMAGE bytes")


def test_a_video_becomes_the_items_file_without_a_poster_and_is_never_downloaded() -> None:
    video = MediaUpload("m1", "u3", "webm")
    records, objects = InMemoryMediaRecords(m1=video.key), InMemoryMediaObjects()
    objects.write(video.key, b"\x1aE\xdf\xa3 webm", content_type="video/webm", cache_control="")
    assert recorder(records, objects).record(video).outcome == "READY"
    assert records.recorded["m1"]["posterKey"] is None
    assert objects.reads == 0


@pytest.mark.parametrize(
    ("content_type", "data", "reason"),
    [
        ("text/html", b"<html>", "the upload's type (text/html) is not one of video/mp4, video/webm"),
        ("", b"IMAGE", "the upload's type (none) is not one of"),
        ("image/jpeg", b"", "the upload is empty"),
        (
            "video/mp4",
            b"x" * (MAX_BYTES + 1),
            f"the upload is {MAX_BYTES + 1} bytes; the limit is {MAX_BYTES}",
        ),
        ("image/jpeg", b"not an image", "the upload is not a JPEG, PNG or WebP image"),
    ],
    ids=["html", "no-type", "empty", "too-big", "damaged-image"],
)
def test_an_upload_that_can_never_play_marks_the_item_failed_once(
    content_type: str, data: bytes, reason: str
) -> None:
    records, objects = InMemoryMediaRecords(m1=UPLOAD.key), InMemoryMediaObjects()
    objects.write(UPLOAD.key, data, content_type=content_type, cache_control="")
    result = recorder(records, objects).record(UPLOAD)
    assert result.outcome == "FAILED" and (result.reason or "").startswith(reason)
    assert records.recorded["m1"]["status"] == "FAILED"
    assert str(records.recorded["m1"]["statusReason"]).startswith(reason)
    assert not [key for key in objects.objects if key.startswith("posters/")]


@pytest.mark.parametrize(
    ("awaited", "reason"),
    [
        ({}, "the media item no longer exists"),
        ({"m1": "media/m1/newer.webm"}, "the media item does not await this upload"),
        ({"m1": None}, "the media item does not await this upload"),
    ],
    ids=["deleted-item", "superseded", "already-recorded"],
)
def test_an_upload_the_item_does_not_await_is_ignored(awaited: dict[str, str | None], reason: str) -> None:
    records, objects = InMemoryMediaRecords(**awaited), InMemoryMediaObjects()
    objects.write(UPLOAD.key, b"IMAGE", content_type="image/jpeg", cache_control="")
    result = recorder(records, objects).record(UPLOAD)
    assert (result.outcome, result.reason) == ("IGNORED", reason)
    assert records.recorded == {} and "posters/m1/u2.jpg" not in objects.objects


def test_an_upload_deleted_before_its_turn_is_ignored() -> None:
    records = InMemoryMediaRecords(m1=UPLOAD.key)
    result = recorder(records, InMemoryMediaObjects()).record(UPLOAD)
    assert (result.outcome, result.reason) == ("IGNORED", "the upload no longer exists")


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("media/m1/u2.webm", MediaUpload("m1", "u2", "webm")),
        (
            "media/3d0c1a5e-0000-4000-8000-00000000e001/sample.webm",
            MediaUpload("3d0c1a5e-0000-4000-8000-00000000e001", "sample", "webm"),
        ),
        ("media/m1/u2", None),
        ("media/m1/a/u2.webm", None),
        ("posters/m1/u2.jpg", None),
        ("media/../u2.webm", None),
    ],
)
def test_only_keys_of_uploads_name_an_upload(key: str, expected: MediaUpload | None) -> None:
    found = MediaUpload.from_key(key)
    assert found == expected
    assert found is None or found.key == key
