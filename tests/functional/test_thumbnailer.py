"""The thumbnailer end to end: SQS messages carrying S3 notifications in, moto's S3 behind it, Pillow at work."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import pytest

from appsync_local.local_aws import LocalAws
from functions.thumbnailer.handler import lambda_handler
from tests.functional.function_events import (
    PHOTOS_BUCKET,
    FakeLambdaContext,
    load_event,
    sqs_s3_event,
    unreachable_url,
    use_function_environment,
)
from tests.functional.images import decompression_bomb, jpeg, opened, png_with_alpha

BUCKET = PHOTOS_BUCKET
UPLOADED = "sqs_s3_photo_uploaded.json"


@pytest.fixture
def s3(local_aws: LocalAws, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The thumbnailer's environment from appsync.toml, and an S3 client on the photos bucket."""
    use_function_environment(monkeypatch, "thumbnailer")
    return boto3.client("s3", endpoint_url=local_aws.endpoints.s3, region_name="us-east-1")


def upload(s3: Any, data: bytes, name: str = "red flower.jpg") -> str:
    """Put `data` where an author's upload goes; its key."""
    key = f"originals/{uuid.uuid4()}/{uuid.uuid4()}/{name}"
    s3.put_object(Bucket=BUCKET, Key=key, Body=data)
    return key


def invoke(event: dict[str, Any]) -> dict[str, Any]:
    return lambda_handler(event, FakeLambdaContext("thumbnailer"))


def folder_of(key: str) -> str:
    """`originals/u/p/name.ext` -> `thumbnails/u/p/name/`."""
    user, post, file_name = key.removeprefix("originals/").split("/")
    return f"thumbnails/{user}/{post}/{file_name.rsplit('.', 1)[0]}/"


def read(s3: Any, key: str) -> bytes:
    return bytes(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())


def manifest_of(s3: Any, key: str) -> dict[str, Any]:
    return dict(json.loads(read(s3, folder_of(key) + "manifest.json")))


def test_a_jpeg_gets_two_sizes_upright_and_without_metadata_then_its_manifest(s3: Any) -> None:
    # GIVEN a 1600x1200 JPEG taken with the camera turned right (EXIF orientation 6), under a name with a space
    key = upload(s3, jpeg(1600, 1200, orientation=6))
    # WHEN S3's notification of it arrives (its key form-encoded: `red+flower.jpg`)
    result = invoke(sqs_s3_event(UPLOADED, key))
    # THEN it is done, with two WebP sizes, upright (portrait), 320 and 1024 pixels wide
    assert result == {"batchItemFailures": []}
    folder = folder_of(key)
    assert folder.endswith("/red flower/")
    small, large = opened(read(s3, folder + "w320.webp")), opened(read(s3, folder + "w1024.webp"))
    assert (small.format, small.size) == ("WEBP", (320, 427))
    assert (large.format, large.size) == ("WEBP", (1024, 1365))
    # AND the red quarter that was top-left in the sensor's frame is top-right once upright
    assert small.convert("RGB").getpixel((300, 20)) == pytest.approx((220, 40, 40), abs=40)
    # AND no metadata (EXIF: camera, orientation) survives
    assert not small.getexif() and not large.getexif()
    # AND the manifest lists them, smallest first, for the post and the user the key names
    user, post = key.split("/")[1:3]
    assert manifest_of(s3, key) == {
        "postId": post,
        "userId": user,
        "photoKey": key,
        "status": "READY",
        "thumbnails": [
            {"width": 320, "height": 427, "key": folder + "w320.webp"},
            {"width": 1024, "height": 1365, "key": folder + "w1024.webp"},
        ],
    }
    head = s3.head_object(Bucket=BUCKET, Key=folder + "w320.webp")
    assert head["ContentType"] == "image/webp"


def test_a_png_keeps_its_transparency(s3: Any) -> None:
    key = upload(s3, png_with_alpha(2000, 1000), "logo.png")
    assert invoke(sqs_s3_event(UPLOADED, key)) == {"batchItemFailures": []}
    small = opened(read(s3, folder_of(key) + "w320.webp"))
    assert small.size == (320, 160)
    assert small.mode == "RGBA" and small.getpixel((10, 80))[3] == 0 and small.getpixel((300, 80))[3] == 255
    assert [t["width"] for t in manifest_of(s3, key)["thumbnails"]] == [320, 1024]


def test_an_image_narrower_than_the_sizes_is_never_enlarged(s3: Any) -> None:
    key = upload(s3, jpeg(200, 100))
    invoke(sqs_s3_event(UPLOADED, key))
    assert manifest_of(s3, key)["thumbnails"] == [
        {"width": 200, "height": 100, "key": folder_of(key) + "w320.webp"}
    ]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"Dear diary, this is not a photo.\n", "the upload is not a JPEG, PNG, WebP or GIF image"),
        (jpeg(1600, 1200)[:8000], "the image cannot be read"),
        (decompression_bomb(50), "the image has too many pixels (10000 by 5000); the limit is 40 megapixels"),
        (b"", "the upload is empty"),
    ],
    ids=["text", "truncated-jpeg", "50-megapixel-bomb", "empty"],
)
def test_an_unusable_upload_gets_a_failed_manifest_and_is_not_retried(
    s3: Any, data: bytes, reason: str
) -> None:
    # GIVEN an upload that can never become thumbnails
    key = upload(s3, data)
    # WHEN its notification arrives
    result = invoke(sqs_s3_event(UPLOADED, key))
    # THEN the message is done with (no crash, no retry) and the manifest says why, with no thumbnails
    assert result == {"batchItemFailures": []}
    manifest = manifest_of(s3, key)
    assert (manifest["status"], manifest["thumbnails"]) == ("FAILED", [])
    assert manifest["error"].startswith(reason)
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=folder_of(key))["Contents"]
    assert [o["Key"] for o in listed] == [folder_of(key) + "manifest.json"]


def test_an_upload_over_the_size_limit_is_refused_before_it_is_downloaded(
    s3: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAX_PHOTO_BYTES", "20000")
    key = upload(s3, jpeg(1600, 1200))
    invoke(sqs_s3_event(UPLOADED, key))
    manifest = manifest_of(s3, key)
    assert manifest["status"] == "FAILED"
    assert manifest["error"].endswith("bytes; the limit is 20000")


def test_s3s_test_event_and_other_keys_are_ignored(s3: Any) -> None:
    # GIVEN S3's test message and a notification for a key that is no upload
    event = load_event("sqs_s3_test_event.json")
    event["Records"] += sqs_s3_event(UPLOADED, "originals/not-an-upload.jpg")["Records"]
    # WHEN they arrive THEN both are done with, and nothing is written
    assert invoke(event) == {"batchItemFailures": []}
    assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET, Prefix="thumbnails/not-an-upload")


def test_an_upload_deleted_before_its_turn_needs_nothing(s3: Any) -> None:
    key = upload(s3, jpeg(400, 300))
    s3.delete_object(Bucket=BUCKET, Key=key)
    assert invoke(sqs_s3_event(UPLOADED, key)) == {"batchItemFailures": []}
    assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET, Prefix=folder_of(key))


def test_when_s3_cannot_be_reached_the_message_is_reported_for_redelivery(
    s3: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a batch with S3's test message and an upload, while S3 cannot be reached
    key = upload(s3, jpeg(400, 300))
    event = load_event("sqs_s3_test_event.json")
    (message,) = sqs_s3_event(UPLOADED, key)["Records"]
    event["Records"].append(message)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", unreachable_url())
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    # WHEN the batch arrives
    result = invoke(event)
    # THEN only the upload's message is reported, so SQS redelivers it (and, after 3 receives, moves it to the DLQ)
    assert result == {"batchItemFailures": [{"itemIdentifier": message["messageId"]}]}
    # AND once S3 is back, the redelivered message makes the thumbnails
    monkeypatch.undo()
    use_function_environment(monkeypatch, "thumbnailer")
    assert invoke({"Records": [message]}) == {"batchItemFailures": []}
    assert manifest_of(s3, key)["status"] == "READY"
