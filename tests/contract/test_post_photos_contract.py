"""A post's photo through the live local API: upload URLs for authors, attachPostImage for IAM only, and the
thumbnail pipeline's functions reaching onUpdatePost subscribers (the functions are invoked here directly with
the events their queues would deliver)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests
from gql import Client
from gql.transport.exceptions import TransportQueryError

from functions.post_images.handler import lambda_handler as post_images
from functions.thumbnailer.handler import lambda_handler as thumbnailer
from tests.contract.clients import api_key_client, iam_client, run, run_async, user_client
from tests.contract.conftest import LiveServer
from tests.contract.test_app_subscriptions import api_key_auth, subscribed
from tests.functional.function_events import FakeLambdaContext, sqs_s3_event, use_function_environment
from tests.functional.images import jpeg

CDN = "https://d111111abcdef8.cloudfront.net"
POST_FIELDS = (
    "id authorId status photoUrl thumbnailUrl imageStatus imageError thumbnails { width height url }"
)
CREATE = "mutation($input: CreatePostInput!) { createPost(input: $input) { id } }"
PUBLISH = "mutation($id: ID!) { publishPost(id: $id) { id status } }"
GET = f"query($id: ID!) {{ getPost(id: $id) {{ {POST_FIELDS} }} }}"
UPLOAD_URL = """
mutation($postId: ID!, $contentType: String!) {
  createPostImageUploadUrl(postId: $postId, contentType: $contentType) { url fields key expiresAt maxBytes }
}"""
ATTACH = f"mutation($input: AttachPostImageInput!) {{ attachPostImage(input: $input) {{ {POST_FIELDS} }} }}"
ON_UPDATE = f"subscription($authorId: ID) {{ onUpdatePost(authorId: $authorId) {{ {POST_FIELDS} title }} }}"


@pytest.fixture
def new_author(live_server: LiveServer) -> Callable[[], tuple[Client, str]]:
    """A member of the `authors` group of their own; returns (client, sub)."""

    def make() -> tuple[Client, str]:
        username = f"photographer-{uuid.uuid4().hex[:8]}"
        client = user_client(live_server.url, live_server.token(username, groups=["authors"]))
        return client, live_server.sub(username)

    return make


def a_post(author: Client, *, published: bool = False) -> str:
    post_id = str(
        run(author, CREATE, input={"title": "Spring", "body": "Flowers.", "tags": []})["createPost"]["id"]
    )
    if published:
        run(author, PUBLISH, id=post_id)
    return post_id


def upload_photo(author: Client, post_id: str, photo: bytes) -> dict[str, Any]:
    """Ask for an upload URL and POST the photo to it, as a browser would; the upload's details."""
    upload = run(author, UPLOAD_URL, postId=post_id, contentType="image/jpeg")["createPostImageUploadUrl"]
    answer = requests.post(
        upload["url"], data=json.loads(upload["fields"]), files={"file": ("photo.jpg", photo)}, timeout=10
    )
    assert answer.status_code == 204, answer.text
    return dict(upload)


def iam(live_server: LiveServer) -> Client:
    creds = live_server.iam
    return iam_client(live_server.url, live_server.host, creds.access_key_id, creds.secret_access_key)


def ready_input(post_id: str, key: str) -> dict[str, Any]:
    return {
        "postId": post_id,
        "photoKey": key,
        "status": "READY",
        "photoUrl": f"{CDN}/{key}",
        "thumbnails": [{"width": 320, "height": 240, "url": f"{CDN}/{key}.w320.webp"}],
    }


def test_an_author_uploads_a_photo_with_the_url_the_api_gives(new_author, live_server: LiveServer) -> None:
    # GIVEN an author's post
    author, sub = new_author()
    post_id = a_post(author)
    # WHEN they get an upload URL and POST a photo to it
    upload = upload_photo(author, post_id, jpeg(640, 480))
    # THEN the photo went under their folder, and the post awaits it
    assert upload["key"].startswith(f"originals/{sub}/{post_id}/") and upload["key"].endswith(".jpg")
    assert upload["maxBytes"] == 10_485_760
    post = run(author, GET, id=post_id)["getPost"]
    assert (post["imageStatus"], post["imageError"], post["thumbnails"]) == ("PENDING", None, None)


def test_only_the_posts_author_gets_an_upload_url(new_author, live_server: LiveServer) -> None:
    author, _ = new_author()
    post_id = a_post(author)
    other, _ = new_author()
    with pytest.raises(TransportQueryError) as refused:
        run(other, UPLOAD_URL, postId=post_id, contentType="image/jpeg")
    assert refused.value.errors is not None
    assert (refused.value.errors[0]["errorType"], refused.value.errors[0]["message"]) == (
        "NotFoundError",
        f"Post '{post_id}' not found",
    )
    with pytest.raises(TransportQueryError) as not_an_image:
        run(author, UPLOAD_URL, postId=post_id, contentType="text/html")
    assert not_an_image.value.errors is not None
    assert not_an_image.value.errors[0]["errorType"] == "ValidationError"
    reader = user_client(live_server.url, live_server.token("bob"))  # signed in, not in `authors`
    for client in (reader, api_key_client(live_server.url, live_server.api_key)):
        with pytest.raises(TransportQueryError, match="Not Authorized to access createPostImageUploadUrl"):
            run(client, UPLOAD_URL, postId=post_id, contentType="image/jpeg")


async def test_only_iam_may_attach_a_post_image_and_only_for_the_awaited_upload(
    new_author, live_server: LiveServer
) -> None:
    # GIVEN a post awaiting an upload
    author, _ = new_author()
    post_id = await asyncio.to_thread(a_post, author)
    upload = await asyncio.to_thread(upload_photo, author, post_id, jpeg(64, 48))
    # WHEN the API key or a user (even the post's author) reports it THEN AppSync refuses the field
    for client in (api_key_client(live_server.url, live_server.api_key), author):
        with pytest.raises(TransportQueryError) as refused:
            await asyncio.to_thread(run, client, ATTACH, input=ready_input(post_id, upload["key"]))
        assert refused.value.errors is not None
        assert refused.value.errors[0]["errorType"] == "Unauthorized"
        assert (
            refused.value.errors[0]["message"] == "Not Authorized to access attachPostImage on type Mutation"
        )
    # WHEN IAM reports another upload's key THEN it is a conflict
    with pytest.raises(TransportQueryError, match="no longer awaits the upload"):
        await run_async(iam(live_server), ATTACH, input=ready_input(post_id, upload["key"] + ".old"))
    # WHEN IAM reports the awaited upload THEN the post shows it
    attached = (await run_async(iam(live_server), ATTACH, input=ready_input(post_id, upload["key"])))[
        "attachPostImage"
    ]
    assert (attached["imageStatus"], attached["photoUrl"]) == ("READY", f"{CDN}/{upload['key']}")
    assert attached["thumbnailUrl"] == f"{CDN}/{upload['key']}.w320.webp"


async def test_thumbnails_of_a_published_post_reach_its_subscribers_and_a_drafts_never_do(
    new_author, live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN an author with a draft and a published post, each with a photo uploaded
    author, sub = new_author()
    draft = await asyncio.to_thread(a_post, author)
    public = await asyncio.to_thread(a_post, author, published=True)
    uploads = {
        post_id: await asyncio.to_thread(upload_photo, author, post_id, jpeg(1600, 1200))
        for post_id in (draft, public)
    }
    # AND the pipeline's functions configured as deployed: the API's URL and IAM credentials
    use_function_environment(monkeypatch, "thumbnailer")
    use_function_environment(monkeypatch, "post-images", PHOTOS_BASE_URL=CDN, GRAPHQL_URL=live_server.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", live_server.iam.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", live_server.iam.secret_access_key)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    async with subscribed(live_server, api_key_auth(live_server), ON_UPDATE, authorId=sub) as subscriber:
        # WHEN the thumbnailer and then post-images get the notifications, the draft's first
        for post_id in (draft, public):
            key = uploads[post_id]["key"]
            made = await asyncio.to_thread(
                thumbnailer, sqs_s3_event("sqs_s3_photo_uploaded.json", key), FakeLambdaContext("thumbnailer")
            )
            manifest_key = key.replace("originals/", "thumbnails/", 1).removesuffix(".jpg") + "/manifest.json"
            done = await asyncio.to_thread(
                post_images,
                sqs_s3_event("sqs_s3_manifest_written.json", manifest_key),
                FakeLambdaContext("post-images"),
            )
            assert made == done == {"batchItemFailures": []}
        # THEN the public subscriber gets the published post with its photo and sizes, and nothing of the draft
        event = (await subscriber.next())["onUpdatePost"]
        assert (event["id"], event["status"], event["imageStatus"]) == (public, "PUBLISHED", "READY")
        assert event["photoUrl"] == f"{CDN}/{uploads[public]['key']}"
        assert [(t["width"], t["height"]) for t in event["thumbnails"]] == [(320, 240), (1024, 768)]
        assert event["thumbnailUrl"] == event["thumbnails"][0]["url"]
        assert event["title"] == "Spring"
        assert subscriber.events.empty()
    # AND the draft has its thumbnails too, for its author to see
    draft_post = (await asyncio.to_thread(run, author, GET, id=draft))["getPost"]
    assert draft_post["imageStatus"] == "READY" and len(draft_post["thumbnails"]) == 2
