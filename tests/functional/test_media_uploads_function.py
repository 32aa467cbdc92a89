"""The media-uploads function end to end: SQS messages carrying S3 notifications in, moto's S3 and DynamoDB
Local's Media table behind it, Pillow making posters."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest

from appsync_local.local_aws import LocalAws
from functions.media_uploads.handler import lambda_handler
from tests.functional.function_events import (
    MEDIA_BUCKET,
    FakeLambdaContext,
    load_event,
    sqs_s3_event,
    unreachable_url,
    use_function_environment,
)
from tests.functional.images import decompression_bomb, jpeg, opened, png_with_alpha

CDN = "http://127.0.0.1:4000/_cdn/premium-media"
UPLOADED = "sqs_s3_media_uploaded.json"


@pytest.fixture
def aws(local_aws: LocalAws, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """The function's environment from appsync.toml (its own bucket), an S3 client, the Media table."""
    use_function_environment(monkeypatch, "media-uploads", MEDIA_BUCKET=MEDIA_BUCKET)
    s3 = boto3.client("s3", endpoint_url=local_aws.endpoints.s3, region_name="us-east-1")
    dynamodb = boto3.resource("dynamodb", endpoint_url=local_aws.endpoints.dynamodb, region_name="us-east-1")
    return s3, dynamodb.Table("Media")


def awaiting(table: Any, extension: str, **fields: Any) -> tuple[str, str]:
    """A media item awaiting an upload, as createMediaUploadUrl leaves it; its id and the upload's key."""
    media_id = str(uuid.uuid4())
    key = f"media/{media_id}/{uuid.uuid4()}.{extension}"
    table.put_item(
        Item={
            "id": media_id,
            "title": "A walk by the sea",
            "premium": True,
            "status": "PENDING_UPLOAD",
            "uploadKey": key,
            "createdAt": "2024-05-01T12:00:00.000Z",
            "updatedAt": "2024-05-01T12:00:00.000Z",
            **fields,
        }
    )
    return media_id, key


def invoke(event: dict[str, Any]) -> dict[str, Any]:
    return lambda_handler(event, FakeLambdaContext("media-uploads"))


def item(table: Any, media_id: str) -> dict[str, Any]:
    return dict(table.get_item(Key={"id": media_id}, ConsistentRead=True)["Item"])


def test_an_uploaded_video_makes_its_item_ready_with_its_type_and_size(aws: tuple[Any, Any]) -> None:
    # GIVEN an item awaiting a WebM upload, which has arrived
    s3, table = aws
    media_id, key = awaiting(
        table, "webm", posterKey="posters/old.jpg", thumbnailUrl=f"{CDN}/posters/old.jpg", statusReason="old"
    )
    video = b"\x1aE\xdf\xa3" + bytes(1000)
    s3.put_object(Bucket=MEDIA_BUCKET, Key=key, Body=video, ContentType="video/webm")
    # WHEN S3's notification of it arrives
    result = invoke(sqs_s3_event(UPLOADED, key, bucket=MEDIA_BUCKET, size=len(video)))
    # THEN the item is READY with the file's type and size, playing that file, with no poster (not an image)
    assert result == {"batchItemFailures": []}
    stored = item(table, media_id)
    assert (stored["status"], stored["contentType"], stored["size"], stored["objectKey"]) == (
        "READY",
        "video/webm",
        len(video),
        key,
    )
    assert not {"uploadKey", "statusReason", "posterKey", "thumbnailUrl"} & set(stored)
    assert stored["updatedAt"] > "2024-05-01T12:00:00.000Z"


def test_an_uploaded_image_gets_a_public_poster(aws: tuple[Any, Any]) -> None:
    # GIVEN an item awaiting a PNG, with transparency, 2000 by 1000 pixels
    s3, table = aws
    media_id, key = awaiting(table, "png")
    s3.put_object(Bucket=MEDIA_BUCKET, Key=key, Body=png_with_alpha(2000, 1000), ContentType="image/png")
    # WHEN it is recorded
    assert invoke(sqs_s3_event(UPLOADED, key, bucket=MEDIA_BUCKET)) == {"batchItemFailures": []}
    # THEN its poster is a 640-pixel-wide JPEG under posters/, named after the upload, cached for good; the
    # item keeps its key (resolvers make the URL from the distribution's as they read the item)
    upload_id = key.rsplit("/", 1)[1].removesuffix(".png")
    poster_key = f"posters/{media_id}/{upload_id}.jpg"
    stored = item(table, media_id)
    assert (stored["status"], stored["posterKey"]) == ("READY", poster_key)
    poster = s3.get_object(Bucket=MEDIA_BUCKET, Key=poster_key)
    assert (poster["ContentType"], poster["CacheControl"]) == (
        "image/jpeg",
        "public, max-age=31536000, immutable",
    )
    image = opened(poster["Body"].read())
    assert (image.format, image.size, image.mode) == ("JPEG", (640, 320), "RGB")
    # AND the transparent half is laid on white
    assert image.getpixel((20, 160)) == pytest.approx((255, 255, 255), abs=8)


def test_a_poster_is_upright_and_carries_no_metadata(aws: tuple[Any, Any]) -> None:
    s3, table = aws
    media_id, key = awaiting(table, "jpg")
    s3.put_object(
        Bucket=MEDIA_BUCKET, Key=key, Body=jpeg(1600, 1200, orientation=6), ContentType="image/jpeg"
    )
    invoke(sqs_s3_event(UPLOADED, key, bucket=MEDIA_BUCKET))
    poster_key = item(table, media_id)["posterKey"]
    image = opened(s3.get_object(Bucket=MEDIA_BUCKET, Key=poster_key)["Body"].read())
    assert image.size == (640, 853) and not image.getexif()


@pytest.mark.parametrize(
    ("extension", "content_type", "data", "reason"),
    [
        ("webm", "text/html", b"<html>not a video</html>", "the upload's type (text/html) is not one of"),
        ("mp4", "video/mp4", b"", "the upload is empty"),
        ("jpg", "image/jpeg", jpeg(1600, 1200)[:6000], "the image cannot be read"),
        ("png", "image/png", decompression_bomb(50), "the image has too many pixels (10000 by 5000)"),
    ],
    ids=["unexpected-type", "empty", "truncated-image", "50-megapixel-bomb"],
)
def test_an_upload_that_can_never_play_marks_its_item_failed_and_is_not_retried(
    aws: tuple[Any, Any], extension: str, content_type: str, data: bytes, reason: str
) -> None:
    s3, table = aws
    media_id, key = awaiting(table, extension)
    s3.put_object(Bucket=MEDIA_BUCKET, Key=key, Body=data, ContentType=content_type)
    # WHEN its notification arrives THEN the message is done with (no retry), and the item says why
    assert invoke(sqs_s3_event(UPLOADED, key, bucket=MEDIA_BUCKET)) == {"batchItemFailures": []}
    stored = item(table, media_id)
    assert stored["status"] == "FAILED" and stored["statusReason"].startswith(reason)
    assert not {"uploadKey", "objectKey", "contentType", "size"} & set(stored)
    assert "Contents" not in s3.list_objects_v2(Bucket=MEDIA_BUCKET, Prefix=f"posters/{media_id}/")


def test_uploads_an_item_does_not_await_change_nothing(aws: tuple[Any, Any]) -> None:
    # GIVEN an item that awaits a newer upload than the one that arrives, and an upload of a deleted item
    s3, table = aws
    media_id, newer = awaiting(table, "webm")
    older = f"media/{media_id}/{uuid.uuid4()}.webm"
    orphan = f"media/{uuid.uuid4()}/{uuid.uuid4()}.webm"
    for key in (older, orphan):
        s3.put_object(Bucket=MEDIA_BUCKET, Key=key, Body=b"video", ContentType="video/webm")
    # AND S3's test event and a key that is no upload, in the same batch
    event = load_event("sqs_s3_test_event.json")
    event["Records"] += sqs_s3_event(UPLOADED, older, orphan, "media/not-an-upload", bucket=MEDIA_BUCKET)[
        "Records"
    ]
    # WHEN they arrive THEN all are done with, and the item still awaits its newer upload
    assert invoke(event) == {"batchItemFailures": []}
    stored = item(table, media_id)
    assert (stored["status"], stored["uploadKey"]) == ("PENDING_UPLOAD", newer)


def test_a_notification_delivered_twice_is_recorded_once(aws: tuple[Any, Any]) -> None:
    s3, table = aws
    media_id, key = awaiting(table, "webm")
    s3.put_object(Bucket=MEDIA_BUCKET, Key=key, Body=b"video", ContentType="video/webm")
    event = sqs_s3_event(UPLOADED, key, bucket=MEDIA_BUCKET)
    invoke(event)
    first = item(table, media_id)
    assert invoke(event) == {"batchItemFailures": []}
    assert item(table, media_id) == first


def test_when_s3_cannot_be_reached_the_message_is_reported_for_redelivery(
    aws: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a batch with S3's test message and an awaited upload, while S3 cannot be reached
    s3, table = aws
    media_id, key = awaiting(table, "webm")
    s3.put_object(Bucket=MEDIA_BUCKET, Key=key, Body=b"video", ContentType="video/webm")
    event = load_event("sqs_s3_test_event.json")
    (message,) = sqs_s3_event(UPLOADED, key, bucket=MEDIA_BUCKET)["Records"]
    event["Records"].append(message)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", unreachable_url())
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    # WHEN the batch arrives THEN only the upload's message is reported, so SQS redelivers it (and, after 3
    # receives, moves it to the DLQ)
    assert invoke(event) == {"batchItemFailures": [{"itemIdentifier": message["messageId"]}]}
    assert item(table, media_id)["status"] == "PENDING_UPLOAD"
    # AND once S3 is back, the redelivered message makes the item READY
    monkeypatch.undo()
    use_function_environment(monkeypatch, "media-uploads", MEDIA_BUCKET=MEDIA_BUCKET)
    assert invoke({"Records": [message]}) == {"batchItemFailures": []}
    assert item(table, media_id)["status"] == "READY"
