"""The post-images function end to end: manifest notifications in, moto's S3 and a recording AppSync behind it.

The API here is a small local HTTP server that accepts only requests correctly signed with SigV4 for the
`appsync` service (checked with the local runtime's verifier) and records each GraphQL request it gets.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from appsync_local.auth import IamCredentials
from appsync_local.auth.errors import UnauthorizedError
from appsync_local.auth.sigv4 import SigV4Verifier
from appsync_local.local_aws import LocalAws
from appsync_local.local_aws.s3_gate import LocalKey
from functions.photo_layout import Manifest, PhotoUpload, ThumbnailEntry
from functions.post_images.handler import lambda_handler as post_images
from functions.thumbnailer.handler import lambda_handler as thumbnailer
from tests.fixtures.json_endpoint import json_endpoint
from tests.functional.function_events import (
    PHOTOS_BUCKET,
    FakeLambdaContext,
    load_event,
    sqs_s3_event,
    unreachable_url,
    use_function_environment,
)
from tests.functional.images import jpeg

BUCKET = PHOTOS_BUCKET
MANIFEST_WRITTEN = "sqs_s3_manifest_written.json"
JSON = "application/json"

Answer = Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]


def attached(variables: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """What AppSync answers when the post took the image: the post, as the mutation selects it."""
    image = variables["input"]
    return 200, {"data": {"attachPostImage": {"id": image["postId"], "status": "PUBLISHED"}}}


@dataclass
class RecordingAppSync:
    """A GraphQL endpoint that checks SigV4 and records what it is asked."""

    credentials: IamCredentials
    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    answer: Answer = attached


@pytest.fixture
def appsync() -> Iterator[RecordingAppSync]:
    api = RecordingAppSync(IamCredentials.generate())
    verifier = SigV4Verifier([api.credentials], region="us-east-1")

    def answer(headers: dict[str, str], body: bytes) -> tuple[int, Any, str]:
        try:
            verifier.verify("POST", api.url, headers, body, ["127.0.0.1"])
        except UnauthorizedError as refused:
            api.refused.append(str(refused))
            return 401, {"errors": [{"errorType": "UnauthorizedException", "message": str(refused)}]}, JSON
        request = json.loads(body)
        api.requests.append(request)
        status, document = api.answer(request["variables"])
        return status, document, JSON

    with json_endpoint(answer) as url:
        api.url = f"{url}/graphql"
        yield api


@pytest.fixture
def s3(local_aws: LocalAws, appsync: RecordingAppSync, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The function's environment (its `${…}` references as the runtime would resolve them) and IAM credentials,
    which the local S3 knows as it knows a function role's (`running_local_services` tells it of those)."""
    local_aws.trust(appsync.credentials)
    use_function_environment(monkeypatch, "post-images", GRAPHQL_URL=appsync.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", appsync.credentials.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", appsync.credentials.secret_access_key)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    return boto3.client("s3", endpoint_url=local_aws.endpoints.s3, region_name="us-east-1")


def an_upload(name: str = "red flower") -> PhotoUpload:
    return PhotoUpload(str(uuid.uuid4()), str(uuid.uuid4()), name, "jpg")


def write_manifest(s3: Any, manifest: Manifest, key: str) -> None:
    s3.put_object(Bucket=BUCKET, Key=key, Body=manifest.to_json().encode(), ContentType="application/json")


def invoke(event: dict[str, Any]) -> dict[str, Any]:
    return post_images(event, FakeLambdaContext("post-images"))


def test_thumbnails_made_from_an_upload_reach_the_api_with_their_keys(
    s3: Any, appsync: RecordingAppSync, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a photo uploaded under a name with a space, and the thumbnailer done with it
    upload = an_upload("red flower")
    s3.put_object(Bucket=BUCKET, Key=upload.key, Body=jpeg(1600, 1200))
    monkeypatch.setenv("MAX_PHOTO_BYTES", "10485760")
    assert thumbnailer(
        sqs_s3_event("sqs_s3_photo_uploaded.json", upload.key), FakeLambdaContext("thumbnailer")
    ) == {"batchItemFailures": []}
    # WHEN S3's notification of the manifest arrives (its key form-encoded)
    result = invoke(sqs_s3_event(MANIFEST_WRITTEN, upload.manifest_key))
    # THEN the API got one signed attachPostImage, with the original (photoKey) and both sizes as their keys in
    # the photos bucket (the API shows them through the photos' CDN)
    assert result == {"batchItemFailures": []} and appsync.refused == []
    (request,) = appsync.requests
    assert "attachPostImage(input: $input)" in request["query"]
    folder = f"thumbnails/{upload.user_id}/{upload.post_id}/red flower"
    assert request["variables"]["input"] == {
        "postId": upload.post_id,
        "photoKey": upload.key,
        "status": "READY",
        "thumbnails": [
            {"width": 320, "height": 240, "key": f"{folder}/w320.webp"},
            {"width": 1024, "height": 768, "key": f"{folder}/w1024.webp"},
        ],
    }
    # AND the mutation selects what onUpdatePost's filter reads and what its subscribers show
    for selected in (
        "id",
        "authorId",
        "status",
        "thumbnailUrl",
        "imageStatus",
        "thumbnails { width height url }",
    ):
        assert selected in request["query"]


def test_a_failed_upload_reaches_the_api_with_its_reason(s3: Any, appsync: RecordingAppSync) -> None:
    upload = an_upload()
    manifest = Manifest(
        upload.post_id,
        upload.user_id,
        upload.key,
        "FAILED",
        error="the upload is not a JPEG, PNG, WebP or GIF image",
    )
    write_manifest(s3, manifest, upload.manifest_key)
    assert invoke(sqs_s3_event(MANIFEST_WRITTEN, upload.manifest_key)) == {"batchItemFailures": []}
    (request,) = appsync.requests
    assert request["variables"]["input"] == {
        "postId": upload.post_id,
        "photoKey": upload.key,
        "status": "FAILED",
        "error": "the upload is not a JPEG, PNG, WebP or GIF image",
    }


@pytest.mark.parametrize("error_type", ["ConflictError", "NotFoundError"])
def test_a_manifest_the_post_no_longer_wants_is_acknowledged(
    s3: Any, appsync: RecordingAppSync, error_type: str
) -> None:
    # GIVEN a manifest for an upload whose post has since got another photo (or was deleted)
    upload = an_upload()
    thumbnail = ThumbnailEntry(320, 240, upload.thumbnail_key(320, "webp"))
    write_manifest(
        s3, Manifest(upload.post_id, upload.user_id, upload.key, "READY", (thumbnail,)), upload.manifest_key
    )
    appsync.answer = lambda variables: (
        200,
        {
            "data": None,
            "errors": [{"errorType": error_type, "message": "no longer awaits", "path": ["attachPostImage"]}],
        },
    )
    # WHEN its notification arrives THEN it is done with: retrying could never succeed
    assert invoke(sqs_s3_event(MANIFEST_WRITTEN, upload.manifest_key)) == {"batchItemFailures": []}
    assert len(appsync.requests) == 1


def test_when_the_api_fails_the_message_is_reported_for_redelivery(
    s3: Any, appsync: RecordingAppSync
) -> None:
    # GIVEN two manifests, and an API that fails for the first post only
    first, second = an_upload(), an_upload()
    for upload in (first, second):
        thumbnail = ThumbnailEntry(320, 240, upload.thumbnail_key(320, "webp"))
        write_manifest(
            s3,
            Manifest(upload.post_id, upload.user_id, upload.key, "READY", (thumbnail,)),
            upload.manifest_key,
        )

    def answer(variables: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if variables["input"]["postId"] == first.post_id:
            return 500, {"errors": [{"errorType": "InternalFailure", "message": "try again"}]}
        return attached(variables)

    appsync.answer = answer
    event = sqs_s3_event(MANIFEST_WRITTEN, first.manifest_key, second.manifest_key)
    # WHEN the batch arrives THEN only the first message is reported, for SQS to redeliver
    assert invoke(event) == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}


def test_unsigned_or_unreachable_api_calls_fail_the_message(
    s3: Any, appsync: RecordingAppSync, monkeypatch: pytest.MonkeyPatch, local_aws: LocalAws
) -> None:
    upload = an_upload()
    thumbnail = ThumbnailEntry(320, 240, upload.thumbnail_key(320, "webp"))
    write_manifest(
        s3, Manifest(upload.post_id, upload.user_id, upload.key, "READY", (thumbnail,)), upload.manifest_key
    )
    event = sqs_s3_event(MANIFEST_WRITTEN, upload.manifest_key)
    failed = {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    # GIVEN credentials the API does not know (S3 does: the manifest is read) THEN the API refuses the
    # signature and the (whole) batch fails
    local_aws.trust(LocalKey("AKIAUNKNOWN000000000", appsync.credentials.secret_access_key))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAUNKNOWN000000000")
    with pytest.raises(BatchProcessingError, match="All records failed processing"):
        invoke(event)
    assert appsync.refused and appsync.requests == []
    # GIVEN an API that cannot be reached THEN too
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", appsync.credentials.access_key_id)
    monkeypatch.setenv("GRAPHQL_URL", unreachable_url() + "/graphql")
    event["Records"] += load_event("sqs_s3_test_event.json")["Records"]
    assert invoke(event) == failed


def test_other_objects_and_vanished_manifests_are_ignored(s3: Any, appsync: RecordingAppSync) -> None:
    upload = an_upload()
    event = sqs_s3_event(MANIFEST_WRITTEN, upload.thumbnail_key(320, "webp"), upload.manifest_key)
    assert invoke(event) == {"batchItemFailures": []}
    assert appsync.requests == []
