"""createPostImageUploadUrl end to end: the post-photos handler, DynamoDB Local's Posts, moto's S3, real uploads."""

from __future__ import annotations

import base64
import copy
import json
import re
import uuid
from typing import Any

import boto3
import pytest
import requests

from appsync_local.local_aws import LocalAws
from resolvers.post_photos.domain.errors import NotFoundError, UnauthorizedError, ValidationError
from resolvers.post_photos.handler import lambda_handler
from tests.functional.function_events import (
    PHOTOS_BUCKET,
    FakeLambdaContext,
    load_event,
    use_function_environment,
)
from tests.functional.images import jpeg

BUCKET = PHOTOS_BUCKET
MAX_BYTES = 10_485_760


@pytest.fixture
def posts(local_aws: LocalAws, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The function's environment from appsync.toml, and the Posts table."""
    use_function_environment(monkeypatch, "post-photos")
    dynamodb = boto3.resource("dynamodb", endpoint_url=local_aws.endpoints.dynamodb, region_name="us-east-1")
    return dynamodb.Table("Posts")


def a_post(posts: Any, author: str, **fields: Any) -> str:
    """A post stored as createPost stores one; its id."""
    post_id = str(uuid.uuid4())
    posts.put_item(
        Item={
            "id": post_id,
            "authorId": author,
            "title": "Spring",
            "body": "Flowers.",
            "tags": [],
            "status": "DRAFT",
            "createdAt": "2024-05-01T12:00:00.000Z",
            "updatedAt": "2024-05-01T12:00:00.000Z",
            **fields,
        }
    )
    return post_id


def ask(sub: str | None, **arguments: Any) -> dict[str, Any]:
    """createPostImageUploadUrl as AppSync invokes it for the user `sub` (None: an API-key request)."""
    event = copy.deepcopy(load_event("create_post_image_upload_url.json"))
    if sub is None:
        event["identity"] = None
    else:
        event["identity"]["sub"] = event["identity"]["claims"]["sub"] = sub
    event["arguments"] = arguments
    event["info"]["variables"] = copy.deepcopy(arguments)
    return dict(lambda_handler(event, FakeLambdaContext("post-photos")))


def test_an_author_gets_a_presigned_post_that_uploads_the_photo(posts: Any, local_aws: LocalAws) -> None:
    # GIVEN an author's post
    author = str(uuid.uuid4())
    post_id = a_post(posts, author, imageError="an earlier upload failed")
    # WHEN they ask for an upload URL for a JPEG
    upload = ask(author, postId=post_id, contentType="image/jpeg")
    # THEN the photo's key is theirs, under the post, and new
    assert re.fullmatch(rf"originals/{author}/{post_id}/[0-9a-f-]{{36}}\.jpg", upload["key"])
    assert upload["maxBytes"] == MAX_BYTES
    assert upload["expiresAt"].endswith("Z")
    # AND the post now awaits exactly that upload, with the old error gone
    post = posts.get_item(Key={"id": post_id}, ConsistentRead=True)["Item"]
    assert (post["photoKey"], post["imageStatus"], "imageError" in post) == (upload["key"], "PENDING", False)
    # AND the signed policy holds S3 to that key, that type and 1 byte to the limit
    fields = json.loads(upload["fields"])
    policy = json.loads(base64.b64decode(fields["policy"]))
    assert {"key": upload["key"]} in policy["conditions"]
    assert {"Content-Type": "image/jpeg"} in policy["conditions"]
    assert ["content-length-range", 1, MAX_BYTES] in policy["conditions"]
    # WHEN the browser (here requests) POSTs the form with a real photo
    photo = jpeg(800, 600)
    answer = requests.post(upload["url"], data=fields, files={"file": ("spring.jpg", photo)}, timeout=10)
    # THEN S3 stores it under the key, as a JPEG
    assert answer.status_code == 204, answer.text
    s3 = boto3.client("s3", endpoint_url=local_aws.endpoints.s3, region_name="us-east-1")
    stored = s3.get_object(Bucket=BUCKET, Key=upload["key"])
    assert (stored["ContentType"], stored["Body"].read()) == ("image/jpeg", photo)


def test_a_new_url_makes_the_post_await_the_newer_upload(posts: Any) -> None:
    author = str(uuid.uuid4())
    post_id = a_post(posts, author)
    first = ask(author, postId=post_id, contentType="image/png")
    second = ask(author, postId=post_id, contentType="IMAGE/WEBP")
    assert first["key"].endswith(".png") and second["key"].endswith(".webp") and first["key"] != second["key"]
    assert posts.get_item(Key={"id": post_id}, ConsistentRead=True)["Item"]["photoKey"] == second["key"]


def test_someone_elses_post_and_a_missing_one_look_the_same(posts: Any) -> None:
    # GIVEN alice's post
    alice, mallory = str(uuid.uuid4()), str(uuid.uuid4())
    post_id = a_post(posts, alice)
    # WHEN another author asks for an upload URL for it, and for a post that does not exist
    with pytest.raises(NotFoundError) as theirs:
        ask(mallory, postId=post_id, contentType="image/jpeg")
    missing_id = str(uuid.uuid4())
    with pytest.raises(NotFoundError) as missing:
        ask(mallory, postId=missing_id, contentType="image/jpeg")
    # THEN both are "not found", worded alike, and alice's post is untouched
    assert str(theirs.value) == f"Post '{post_id}' not found"
    assert str(missing.value) == f"Post '{missing_id}' not found"
    assert "photoKey" not in posts.get_item(Key={"id": post_id}, ConsistentRead=True)["Item"]


@pytest.mark.parametrize("content_type", ["text/plain", "image/svg+xml", "application/pdf", ""])
def test_only_images_may_be_uploaded(posts: Any, content_type: str) -> None:
    author = str(uuid.uuid4())
    post_id = a_post(posts, author)
    with pytest.raises(ValidationError, match="contentType must be one of image/jpeg, image/png, image/webp"):
        ask(author, postId=post_id, contentType=content_type)
    assert "photoKey" not in posts.get_item(Key={"id": post_id}, ConsistentRead=True)["Item"]


def test_a_post_id_that_is_not_one_is_refused(posts: Any) -> None:
    with pytest.raises(ValidationError, match="postId is not a post id"):
        ask(str(uuid.uuid4()), postId="../../other", contentType="image/jpeg")


def test_a_caller_without_a_user_token_is_unauthorized(posts: Any) -> None:
    with pytest.raises(UnauthorizedError):
        ask(None, postId=str(uuid.uuid4()), contentType="image/jpeg")
