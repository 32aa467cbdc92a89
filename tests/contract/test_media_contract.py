"""Premium media through the live local API, its event sources running as `make run` runs them: the public
catalog, admin-only writes, uploads that become playable, and playback URLs only for entitled users (refused
with AppSync's Unauthorized otherwise), signed as CloudFront reads them with the key the local CDN trusts.

Fetching the playback URLs through the local CDN is tested with the CDN (tests/functional/test_local_cdn.py and
the CDN contract tests); here the URL's shape, policy and signature are checked.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests
from gql import Client
from gql.transport.exceptions import TransportQueryError

from appsync_local.local_aws import LocalAws
from appsync_local.local_aws.endpoints import client as aws_client
from tests.contract.clients import api_key_client, iam_client, run, run_async, user_client
from tests.fixtures.cloudfront import parse_signed_url, public_key_of
from tests.fixtures.live_server import LiveServer
from tests.functional.images import jpeg

MEDIA_FIELDS = (
    "id title description durationSeconds contentType size thumbnailUrl premium status statusReason "
    "createdAt updatedAt"
)
LIST = f"query($status: MediaStatus) {{ listMedia(limit: 100, status: $status) {{ items {{ {MEDIA_FIELDS} }} nextToken }} }}"
GET = f"query($id: ID!) {{ getMedia(id: $id) {{ {MEDIA_FIELDS} }} }}"
CREATE = f"mutation($input: CreateMediaInput!) {{ createMedia(input: $input) {{ {MEDIA_FIELDS} }} }}"
UPDATE = f"mutation($input: UpdateMediaInput!) {{ updateMedia(input: $input) {{ {MEDIA_FIELDS} }} }}"
DELETE = "mutation($id: ID!) { deleteMedia(id: $id) { id } }"
UPLOAD_URL = """
mutation($id: ID!, $contentType: String!, $size: Int!) {
  createMediaUploadUrl(id: $id, contentType: $contentType, size: $size) { url method contentType size expiresAt }
}"""
PLAY = "query($id: ID!) { mediaPlaybackUrl(id: $id) { url expiresAt } }"
SUBSCRIPTION_FIELDS = "plan status currentPeriodStart currentPeriodEnd canceledAt active"
SUBSCRIBE = f"mutation($plan: PremiumPlan!) {{ subscribePremium(plan: $plan) {{ {SUBSCRIPTION_FIELDS} }} }}"
CANCEL = f"mutation {{ cancelPremium {{ {SUBSCRIPTION_FIELDS} }} }}"
PURCHASE = "mutation($id: ID!) { purchaseMedia(id: $id) { mediaId purchasedAt media { id title } } }"
ME = f"""
query {{
  me {{
    id
    premium {{ {SUBSCRIPTION_FIELDS} }}
    purchases {{ items {{ mediaId purchasedAt media {{ id title }} }} nextToken }}
  }}
}}"""

# The seeded catalog (seed/demo.json): a premium item and a free one, both READY with the sample video.
SEEDED_PREMIUM = "3d0c1a5e-0000-4000-8000-00000000e001"
SEEDED_FREE = "3d0c1a5e-0000-4000-8000-00000000e002"
SIGNING_SECRET = "premium-media-signing-key"
VIDEO = b"\x1aE\xdf\xa3" + bytes(range(256)) * 8  # a WebM's magic number, then bytes: what S3 stores as sent


def refusal(client: Client, query: str, **variables: Any) -> dict[str, Any]:
    """The one error `query` fails with."""
    with pytest.raises(TransportQueryError) as failed:
        run(client, query, **variables)
    (error,) = failed.value.errors or [None]
    assert error is not None
    return dict(error)


def unauthorized(field: str, type_name: str) -> tuple[str, str]:
    return ("Unauthorized", f"Not Authorized to access {field} on type {type_name}")


@pytest.fixture
def admin(live_server: LiveServer) -> Client:
    return user_client(live_server.url, live_server.token("media-admin", groups=["admins"]))


@pytest.fixture
def public(live_server: LiveServer) -> Client:
    return api_key_client(live_server.url, live_server.api_key)


@pytest.fixture
def new_user(live_server: LiveServer) -> Callable[[], Client]:
    """A signed-in user of their own, in no group (like bob): no subscription, no purchase."""
    return lambda: user_client(live_server.url, live_server.token(f"viewer-{uuid.uuid4().hex[:8]}"))


@pytest.fixture
def signing_key(local_aws: LocalAws) -> Any:
    """The public half of the key in the signing secret: the key the local CDN trusts."""
    secrets = aws_client(local_aws.session(), "secretsmanager", local_aws.endpoints.moto)
    return public_key_of(secrets.get_secret_value(SecretId=SIGNING_SECRET)["SecretString"])


def create(admin: Client, **fields: Any) -> dict[str, Any]:
    return dict(run(admin, CREATE, input={"title": "Harbour at night", **fields})["createMedia"])


def upload(admin: Client, media_id: str, data: bytes, content_type: str) -> dict[str, Any]:
    """Ask for an upload URL and PUT the file to it with the declared type, as an admin's app does."""
    asked = run(admin, UPLOAD_URL, id=media_id, contentType=content_type, size=len(data))
    upload_url = dict(asked["createMediaUploadUrl"])
    answer = requests.put(upload_url["url"], data=data, headers={"Content-Type": content_type}, timeout=10)
    assert answer.status_code == 200, answer.text
    return upload_url


def settled(admin: Client, media_id: str, timeout: float = 30) -> dict[str, Any]:
    """The item once the upload pipeline has recorded its upload (no longer PENDING_UPLOAD), read again until
    then (S3 -> queue -> media-uploads -> the Media table)."""
    deadline = time.monotonic() + timeout
    while True:
        item = run(admin, GET, id=media_id)["getMedia"]
        if item["status"] != "PENDING_UPLOAD":
            return dict(item)
        assert time.monotonic() < deadline, f"media {media_id} stayed PENDING_UPLOAD"
        time.sleep(0.1)


def playable(admin: Client, *, premium: bool = True) -> str:
    """A READY item with an uploaded video; its id."""
    media_id = create(admin, premium=premium)["id"]
    upload(admin, media_id, VIDEO, "video/webm")
    assert settled(admin, media_id)["status"] == "READY"
    return str(media_id)


# --- the public catalog -------------------------------------------------------------------------------------


async def test_the_catalog_is_public_and_never_holds_a_playable_url(
    live_server: LiveServer, public: Client
) -> None:
    # WHEN the public (API key) and a backend (IAM) read the catalog
    creds = live_server.iam
    listed = (await asyncio.to_thread(run, public, LIST))["listMedia"]
    iam = iam_client(live_server.url, live_server.host, creds.access_key_id, creds.secret_access_key)
    by_iam = (await run_async(iam, LIST))["listMedia"]
    # THEN both see the seeded READY items, premium and free, with their details
    items = {item["id"]: item for item in listed["items"]}
    assert {SEEDED_PREMIUM, SEEDED_FREE} <= set(items) <= {i["id"] for i in by_iam["items"]}
    assert (items[SEEDED_PREMIUM]["premium"], items[SEEDED_FREE]["premium"]) == (True, False)
    assert items[SEEDED_PREMIUM]["contentType"] == "video/webm" and items[SEEDED_PREMIUM]["size"] > 0
    assert {item["status"] for item in listed["items"]} == {"READY"}
    # AND nothing in it leads to a file: no signed URL, no key under media/; only posters are URLs
    text = json.dumps(listed)
    for leak in ("Signature", "Key-Pair-Id", "X-Amz-", "/media/"):
        assert leak not in text
    assert all(i["thumbnailUrl"] is None or "/posters/" in i["thumbnailUrl"] for i in listed["items"])
    # AND one item reads the same, while the playback URL is for signed-in users only
    assert (await asyncio.to_thread(run, public, GET, id=SEEDED_FREE))["getMedia"] == items[SEEDED_FREE]
    error = await asyncio.to_thread(refusal, public, PLAY, id=SEEDED_FREE)
    assert (error["errorType"], error["message"]) == unauthorized("mediaPlaybackUrl", "Query")


def test_only_admins_write_the_catalog(live_server: LiveServer, public: Client, admin: Client) -> None:
    media_id = create(admin)["id"]
    bob = user_client(live_server.url, live_server.token("bob"))
    carol = user_client(live_server.url, live_server.token("carol", groups=["admins", "premium"]))
    writes = [
        ("createMedia", CREATE, {"input": {"title": "Mine now"}}),
        ("updateMedia", UPDATE, {"input": {"id": media_id, "title": "Mine now"}}),
        ("deleteMedia", DELETE, {"id": media_id}),
        ("createMediaUploadUrl", UPLOAD_URL, {"id": media_id, "contentType": "video/mp4", "size": 10}),
    ]
    # WHEN bob (signed in, not an admin) or the API key try each write THEN AppSync refuses the field
    for field, query, variables in writes:
        for caller in (bob, public):
            error = refusal(caller, query, **variables)
            assert (error["errorType"], error["message"]) == unauthorized(field, "Mutation")
    # AND the item is as the admin made it; carol (an admin) may change it
    assert run(admin, GET, id=media_id)["getMedia"]["title"] == "Harbour at night"
    assert run(carol, UPDATE, input={"id": media_id, "title": "Harbour"})["updateMedia"]["title"] == "Harbour"


def test_items_not_ready_are_listed_for_admins_only(public: Client, admin: Client, new_user) -> None:
    pending = create(admin, title="Coming soon")
    assert pending["status"] == "PENDING_UPLOAD"
    assert run(public, GET, id=pending["id"])["getMedia"] is None
    assert pending["id"] in {i["id"] for i in run(admin, LIST, status="PENDING_UPLOAD")["listMedia"]["items"]}
    error = refusal(new_user(), LIST, status="PENDING_UPLOAD")
    assert (error["errorType"], error["message"]) == unauthorized("listMedia", "Query")


# --- uploads become playable -------------------------------------------------------------------------------


def test_an_upload_url_puts_the_file_and_the_item_becomes_ready(
    live_server: LiveServer, local_aws: LocalAws, public: Client, admin: Client
) -> None:
    # GIVEN a new item
    media_id = create(admin, durationSeconds=12)["id"]
    # WHEN an admin gets an upload URL for a WebM of its size
    upload_url = upload(admin, media_id, VIDEO, "video/webm")
    # THEN it was a PUT with the type and size signed in, valid for minutes
    assert (upload_url["method"], upload_url["contentType"], upload_url["size"]) == (
        "PUT",
        "video/webm",
        len(VIDEO),
    )
    assert "content-length%3Bcontent-type%3Bhost" in upload_url["url"]
    # AND the file's arrival makes the item READY, with what S3 stored: its type and size, and no poster
    item = settled(admin, media_id)
    assert (item["status"], item["contentType"], item["size"], item["thumbnailUrl"]) == (
        "READY",
        "video/webm",
        len(VIDEO),
        None,
    )
    # AND the public catalog shows it now
    assert run(public, GET, id=media_id)["getMedia"]["status"] == "READY"
    # AND its bucket is reached only through the CDN: nothing in the API presigned a GET for it
    s3 = aws_client(local_aws.session(), "s3", local_aws.endpoints.s3)
    keys = [
        o["Key"] for o in s3.list_objects_v2(Bucket="premium-media", Prefix=f"media/{media_id}/")["Contents"]
    ]
    assert len(keys) == 1 and keys[0].endswith(".webm")


def test_an_image_upload_gets_a_poster_that_the_cdn_serves_to_anyone(
    admin: Client, live_server: LiveServer
) -> None:
    media_id = create(admin, title="A still")["id"]
    upload(admin, media_id, jpeg(1280, 720), "image/jpeg")
    item = settled(admin, media_id)
    assert item["status"] == "READY" and item["contentType"] == "image/jpeg"
    cdn = f"{live_server.base_url}/_cdn/premium-media/posters/{media_id}/"
    assert item["thumbnailUrl"].startswith(cdn) and item["thumbnailUrl"].endswith(".jpg")
    # the poster is a public path of the distribution: no signature needed
    poster = requests.get(item["thumbnailUrl"], timeout=10)
    assert (poster.status_code, poster.headers["content-type"]) == (200, "image/jpeg")


def test_an_upload_that_is_not_what_it_claims_marks_the_item_failed(admin: Client) -> None:
    media_id = create(admin)["id"]
    upload(admin, media_id, b"<html>not a picture</html>", "image/jpeg")
    item = settled(admin, media_id)
    assert item["status"] == "FAILED"
    assert item["statusReason"].startswith("the upload is not a JPEG, PNG or WebP image")


@pytest.mark.parametrize(
    ("content_type", "size", "message"),
    [
        ("text/html", 100, "contentType must be one of video/mp4, video/webm, audio/mpeg, image/jpeg"),
        ("video/mp4", 0, "size must be 1 to 1073741824 bytes"),
        ("video/mp4", 2_000_000_000, "size must be 1 to 1073741824 bytes"),
    ],
)
def test_an_upload_url_for_a_type_or_size_not_allowed_is_refused(
    admin: Client, content_type: str, size: int, message: str
) -> None:
    media_id = create(admin)["id"]
    error = refusal(admin, UPLOAD_URL, id=media_id, contentType=content_type, size=size)
    assert error["errorType"] == "ValidationError" and error["message"].startswith(message)
    assert run(admin, GET, id=media_id)["getMedia"]["status"] == "PENDING_UPLOAD"


# --- playback: entitlement ---------------------------------------------------------------------------------


def test_playback_is_refused_to_bob_and_granted_after_subscribing_until_he_cancels(
    live_server: LiveServer, admin: Client, new_user, signing_key: Any
) -> None:
    # GIVEN a premium item, and a signed-in user with no subscription and no purchase
    media_id = playable(admin)
    bob = new_user()
    # WHEN he asks to play it THEN AppSync's Unauthorized error answers, and no URL
    with pytest.raises(TransportQueryError) as refused:
        run(bob, PLAY, id=media_id)
    assert [(e["errorType"], e["message"]) for e in refused.value.errors or []] == [
        unauthorized("mediaPlaybackUrl", "Query")
    ]
    assert refused.value.data == {"mediaPlaybackUrl": None}
    # WHEN he subscribes (twice: still one subscription)
    first = run(bob, SUBSCRIBE, plan="MONTHLY")["subscribePremium"]
    assert run(bob, SUBSCRIBE, plan="MONTHLY")["subscribePremium"] == first
    assert (first["status"], first["active"], first["canceledAt"]) == ("ACTIVE", True, None)
    # THEN he gets a URL for exactly the file, through the CDN, signed with the key it trusts
    before = int(time.time())
    signed = run(bob, PLAY, id=media_id)["mediaPlaybackUrl"]
    parts = parse_signed_url(signed["url"])
    assert parts.base.startswith(f"{live_server.base_url}/_cdn/premium-media/media/{media_id}/")
    assert parts.resource == parts.base
    assert before + 300 <= parts.date_less_than <= int(time.time()) + 300
    assert signed["expiresAt"] == time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(parts.date_less_than))
    assert parts.signed_by(signing_key)
    # AND `me` shows the subscription
    assert run(bob, ME)["me"]["premium"] == first
    # WHEN he cancels THEN it ends at once, and playback is refused again
    canceled = run(bob, CANCEL)["cancelPremium"]
    assert (canceled["status"], canceled["active"]) == ("CANCELED", False)
    assert run(bob, ME)["me"]["premium"]["active"] is False
    error = refusal(bob, PLAY, id=media_id)
    assert (error["errorType"], error["message"]) == unauthorized("mediaPlaybackUrl", "Query")


def test_a_purchase_grants_playback_of_that_item_only(admin: Client, new_user, signing_key: Any) -> None:
    # GIVEN two premium items and a customer who buys one (twice: one purchase)
    bought, other = playable(admin), playable(admin)
    customer = new_user()
    purchase = run(customer, PURCHASE, id=bought)["purchaseMedia"]
    assert run(customer, PURCHASE, id=bought)["purchaseMedia"] == purchase
    assert purchase["media"]["id"] == bought
    # THEN the bought item plays for them and the other does not
    signed = run(customer, PLAY, id=bought)["mediaPlaybackUrl"]
    assert parse_signed_url(signed["url"]).signed_by(signing_key)
    error = refusal(customer, PLAY, id=other)
    assert (error["errorType"], error["message"]) == unauthorized("mediaPlaybackUrl", "Query")
    # AND `me` lists the purchase with its item, and no subscription
    me = run(customer, ME)["me"]
    assert me["premium"] is None
    assert me["purchases"] == {"items": [purchase], "nextToken": None}
    # AND many customers buy the same item
    assert run(new_user(), PURCHASE, id=bought)["purchaseMedia"]["mediaId"] == bought


def test_free_items_play_for_any_signed_in_user_and_pending_ones_for_nobody(admin: Client, new_user) -> None:
    free = playable(admin, premium=False)
    assert run(new_user(), PLAY, id=free)["mediaPlaybackUrl"]["url"]
    pending = create(admin, premium=False)["id"]
    error = refusal(new_user(), PLAY, id=pending)
    assert (error["errorType"], error["message"]) == (
        "MediaNotReadyError",
        f"Media '{pending}' is not ready to play (its status is PENDING_UPLOAD)",
    )


def test_the_demo_users_carol_plays_premium_and_bob_only_the_free_preview(live_server: LiveServer) -> None:
    # GIVEN the seeded users: carol, a premium subscriber (PremiumUsers), and bob, who is not
    carol = user_client(live_server.url, live_server.token("carol", groups=["admins", "premium"]))
    bob = user_client(live_server.url, live_server.token("bob"))
    # THEN carol plays the seeded premium video, bob is refused it and plays the free one
    assert run(carol, ME)["me"]["premium"]["active"] is True
    assert (
        f"/_cdn/premium-media/media/{SEEDED_PREMIUM}/sample.webm?"
        in run(carol, PLAY, id=SEEDED_PREMIUM)["mediaPlaybackUrl"]["url"]
    )
    error = refusal(bob, PLAY, id=SEEDED_PREMIUM)
    assert error["errorType"] == "Unauthorized"
    assert f"/media/{SEEDED_FREE}/sample.webm?" in run(bob, PLAY, id=SEEDED_FREE)["mediaPlaybackUrl"]["url"]
