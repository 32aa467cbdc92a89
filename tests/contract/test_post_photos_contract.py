"""A post's photo through the live local API, its event sources running as `make run` runs them: upload URLs
for authors, the upload's S3 notification through the thumbnailer and post-images functions, the result live
on onUpdatePost, the sizes on the local CDN; attachPostImage for IAM only; bad uploads and poison messages."""

from __future__ import annotations

import asyncio
import io
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests
from gql import Client
from gql.transport.exceptions import TransportQueryError
from PIL import Image

from appsync_local.local_aws import LocalAws
from appsync_local.local_aws.endpoints import client as aws_client
from tests.contract.clients import api_key_client, iam_client, run, run_async, user_client
from tests.contract.test_app_subscriptions import api_key_auth, subscribed
from tests.fixtures.live_server import LiveServer
from tests.functional.images import jpeg

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
        "thumbnails": [{"width": 320, "height": 240, "key": f"{key}.w320.webp"}],
    }


def test_an_author_uploads_a_photo_with_the_url_the_api_gives(new_author, live_server: LiveServer) -> None:
    # GIVEN an author's post
    author, sub = new_author()
    post_id = a_post(author)
    # WHEN they get an upload URL
    upload = run(author, UPLOAD_URL, postId=post_id, contentType="image/jpeg")["createPostImageUploadUrl"]
    # THEN it is for their folder, and the post awaits the upload
    assert upload["key"].startswith(f"originals/{sub}/{post_id}/") and upload["key"].endswith(".jpg")
    assert upload["maxBytes"] == 10_485_760
    post = run(author, GET, id=post_id)["getPost"]
    assert (post["imageStatus"], post["imageError"], post["thumbnails"]) == ("PENDING", None, None)
    # AND POSTing a photo to it, as a browser does, is accepted
    answer = requests.post(
        upload["url"], data=json.loads(upload["fields"]), files={"file": ("p.jpg", jpeg(64, 48))}, timeout=10
    )
    assert answer.status_code == 204, answer.text


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
    # GIVEN a post awaiting an upload (the photo itself is never sent, so no function reports it first)
    author, _ = new_author()
    post_id = await asyncio.to_thread(a_post, author)
    upload = (await asyncio.to_thread(run, author, UPLOAD_URL, postId=post_id, contentType="image/jpeg"))[
        "createPostImageUploadUrl"
    ]
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
    # the photo is shown through this server's CDN, made from the key the post keeps
    photos = f"{live_server.base_url}/_cdn/post-photos"
    assert (attached["imageStatus"], attached["photoUrl"]) == ("READY", f"{photos}/{upload['key']}")
    assert attached["thumbnailUrl"] == f"{photos}/{upload['key']}.w320.webp"


async def test_thumbnails_of_a_published_post_reach_its_subscribers_and_a_drafts_never_do(
    new_author, live_server: LiveServer
) -> None:
    # GIVEN an author with a draft and a published post, and a subscriber to the author's posts
    author, sub = new_author()
    draft = await asyncio.to_thread(a_post, author)
    public = await asyncio.to_thread(a_post, author, published=True)
    async with subscribed(live_server, api_key_auth(live_server), ON_UPDATE, authorId=sub) as subscriber:
        # WHEN a photo is uploaded to each, the draft's first
        uploads = {
            post_id: await asyncio.to_thread(upload_photo, author, post_id, jpeg(1600, 1200))
            for post_id in (draft, public)
        }
        # THEN within seconds (S3 -> queue -> thumbnailer -> S3 -> queue -> post-images -> attachPostImage)
        # the subscriber gets the published post with its photo and sizes, and nothing of the draft
        event = (await asyncio.wait_for(subscriber.next(), timeout=30))["onUpdatePost"]
        assert (event["id"], event["status"], event["imageStatus"]) == (public, "PUBLISHED", "READY")
        cdn = f"{live_server.base_url}/_cdn/post-photos"
        assert event["photoUrl"] == f"{cdn}/{uploads[public]['key']}"
        assert [(t["width"], t["height"]) for t in event["thumbnails"]] == [(320, 240), (1024, 768)]
        assert event["thumbnailUrl"] == event["thumbnails"][0]["url"]
        assert event["title"] == "Spring"
    # AND each size is on the local CDN, the size it says
    for thumbnail in event["thumbnails"]:
        served = await asyncio.to_thread(requests.get, thumbnail["url"], timeout=10)
        assert (served.status_code, served.headers["content-type"]) == (200, "image/webp")
        assert Image.open(io.BytesIO(served.content)).size == (thumbnail["width"], thumbnail["height"])
    # AND the draft got its thumbnails too, for its author to see
    draft_post = await _eventually(author, draft, lambda post: post["imageStatus"] == "READY")
    assert len(draft_post["thumbnails"]) == 2


async def _eventually(
    client: Client, post_id: str, ready: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """The post once `ready` holds for it (read again until then, up to 30 s)."""
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        post = (await asyncio.to_thread(run, client, GET, id=post_id))["getPost"]
        if ready(post):
            return dict(post)
        assert asyncio.get_running_loop().time() < deadline, f"post {post_id} stayed {post['imageStatus']}"
        await asyncio.sleep(0.1)


async def test_an_upload_that_is_not_an_image_marks_the_post_failed(
    new_author, live_server: LiveServer
) -> None:
    # GIVEN a post, and a file that says it is a JPEG but is not
    author, _ = new_author()
    post_id = await asyncio.to_thread(a_post, author)
    await asyncio.to_thread(upload_photo, author, post_id, b"<html>not a photo</html>")
    # THEN the thumbnailer gives up on it once, and the post says why (no retries, no crash loop)
    post = await _eventually(author, post_id, lambda p: p["imageStatus"] != "PENDING")
    assert post["imageStatus"] == "FAILED"
    assert post["imageError"] and "image" in post["imageError"].lower()
    assert post["thumbnails"] is None


def test_a_poison_message_ends_in_the_dead_letter_queue(live_server: LiveServer, local_aws: LocalAws) -> None:
    # GIVEN a message on the uploads queue that no thumbnailer can read
    sqs = aws_client(local_aws.session(), "sqs", local_aws.endpoints.moto)
    body = json.dumps({"not": "an S3 event", "id": uuid.uuid4().hex})
    sqs.send_message(QueueUrl=sqs.get_queue_url(QueueName="post-photo-uploads")["QueueUrl"], MessageBody=body)
    # THEN after its 3 receives it waits in the dead-letter queue, for a person to look at
    dlq = sqs.get_queue_url(QueueName="post-photo-uploads-dlq")["QueueUrl"]
    deadline = time.monotonic() + 30
    found: list[dict[str, Any]] = []
    while not found:
        messages = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        )
        found = [m for m in messages if m["Body"] == body]
        assert time.monotonic() < deadline, "the poison message never reached the DLQ"
    invocations = [
        r
        for r in live_server.runtime.observer.log.newest()
        if r.function == "thumbnailer" and r.error is None
    ]
    assert invocations  # the thumbnailer ran (and reported the message failed, so it came back twice)
