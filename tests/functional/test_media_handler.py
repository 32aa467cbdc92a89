"""The media Lambda end to end: its handler on DynamoDB Local's tables, moto's S3 and Secrets Manager, with a key
pair made for the test (the CDN's view: the public half verifies what the function signs)."""

from __future__ import annotations

import copy
import time
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from appsync_local.local_aws import LocalAws
from resolvers.media.domain.errors import (
    MediaNotReadyError,
    NotFoundError,
    UnauthorizedError,
    ValidationError,
)
from resolvers.media.handler import lambda_handler
from resolvers.media.routers.refusals import Unauthorized
from tests.fixtures.cloudfront import parse_signed_url
from tests.functional.function_events import (
    MEDIA_BUCKET,
    MEDIA_SIGNING_SECRET,
    FakeLambdaContext,
    load_event,
    use_function_environment,
)

CDN = "https://d111111abcdef8.cloudfront.net"
KEY_PAIR_ID = "K2JCJMDEHXQW5F"


@pytest.fixture
def tables(local_aws: LocalAws, media_signing_key: rsa.RSAPublicKey, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The function's environment from appsync.toml (its references given test values), and its tables."""
    use_function_environment(
        monkeypatch,
        "media",
        MEDIA_BUCKET=MEDIA_BUCKET,
        MEDIA_CDN_URL=CDN,
        CDN_KEY_PAIR_ID=KEY_PAIR_ID,
        SIGNING_KEY_SECRET=MEDIA_SIGNING_SECRET,
    )
    # boto3 names the variable after the service id, "Secrets Manager"
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", local_aws.endpoints.moto)
    return boto3.resource("dynamodb", endpoint_url=local_aws.endpoints.dynamodb, region_name="us-east-1")


def an_item(tables: Any, *, premium: bool = True, status: str = "READY") -> str:
    """A media item stored as the catalog and the upload pipeline store one; its id."""
    media_id = str(uuid.uuid4())
    item = {
        "id": media_id,
        "title": "A walk by the sea",
        "premium": premium,
        "status": status,
        "createdAt": "2024-05-01T12:00:00.000Z",
        "updatedAt": "2024-05-01T12:00:00.000Z",
    }
    if status == "READY":
        item |= {"objectKey": f"media/{media_id}/u1.webm", "contentType": "video/webm", "size": 48213}
    tables.Table("Media").put_item(Item=item)
    return media_id


def call(event_file: str, sub: str | None, source: Any = None, **arguments: Any) -> Any:
    """The field of `event_file` as AppSync invokes it for the user `sub` (None: an API-key request)."""
    event = copy.deepcopy(load_event(event_file))
    if sub is None:
        event["identity"] = None
    else:
        event["identity"]["sub"] = event["identity"]["claims"]["sub"] = sub
    if source is not None:
        event["source"] = source
    if arguments:
        event["arguments"] = arguments
        event["info"]["variables"] = copy.deepcopy(arguments)
    return lambda_handler(event, FakeLambdaContext("media"))


def play(sub: str, media_id: str) -> dict[str, Any]:
    return dict(call("media_playback_url.json", sub, id=media_id))


def new_user() -> str:
    return str(uuid.uuid4())


def test_a_caller_without_entitlement_gets_appsyncs_unauthorized(tables: Any) -> None:
    # GIVEN a premium item, and bob, who neither subscribed nor bought it
    media_id = an_item(tables)
    # WHEN bob asks to play it
    with pytest.raises(Unauthorized) as refused:
        play(new_user(), media_id)
    # THEN the error is AppSync's own refusal of the field (errorType = the class name)
    assert type(refused.value).__name__ == "Unauthorized"
    assert str(refused.value) == "Not Authorized to access mediaPlaybackUrl on type Query"


def test_a_subscriber_gets_a_url_the_cdns_key_verifies_for_exactly_that_file(
    tables: Any, media_signing_key: rsa.RSAPublicKey
) -> None:
    # GIVEN a premium item and a subscriber
    media_id = an_item(tables)
    bob = new_user()
    subscribed = call("subscribe_premium.json", bob, plan="MONTHLY")
    assert (subscribed["status"], subscribed["active"]) == ("ACTIVE", True)
    # WHEN they ask to play it
    before = int(time.time())
    signed = play(bob, media_id)
    after = int(time.time())
    # THEN the URL is the file's CDN URL, signed with the trusted key, by a policy naming exactly that URL
    parts = parse_signed_url(signed["url"])
    assert parts.base == parts.resource == f"{CDN}/media/{media_id}/u1.webm"
    assert parts.key_pair_id == KEY_PAIR_ID
    assert parts.signed_by(media_signing_key)
    # AND it works for the configured 300 seconds, as expiresAt says
    assert before + 300 <= parts.date_less_than <= after + 300
    assert signed["expiresAt"] == time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(parts.date_less_than))
    # AND the address is not bound (the switch is off)
    assert set(parts.statement["Condition"]) == {"DateLessThan"}


def test_subscribing_twice_keeps_one_subscription_and_cancelling_ends_playback(tables: Any) -> None:
    media_id = an_item(tables)
    bob = new_user()
    first = call("subscribe_premium.json", bob, plan="YEARLY")
    again = call("subscribe_premium.json", bob, plan="YEARLY")
    assert again == first
    stored = tables.Table("PremiumUsers").get_item(Key={"userId": bob}, ConsistentRead=True)["Item"]
    assert (stored["plan"], stored["status"], stored["currentPeriodEnd"]) == (
        "YEARLY",
        "ACTIVE",
        first["currentPeriodEnd"],
    )
    assert play(bob, media_id)["url"]
    # WHEN bob cancels
    canceled = call("cancel_premium.json", bob)
    # THEN the subscription is CANCELED at once, User.premium says so, and playback is refused
    assert (canceled["status"], canceled["active"]) == ("CANCELED", False) and canceled["canceledAt"]
    premium = call("user_premium.json", bob, source={"id": bob, "username": "bob"})
    assert (premium["status"], premium["active"], premium["plan"]) == ("CANCELED", False, "YEARLY")
    with pytest.raises(Unauthorized):
        play(bob, media_id)
    # AND cancelling again changes nothing; someone who never subscribed gets null
    assert call("cancel_premium.json", bob) == canceled
    assert call("cancel_premium.json", new_user()) is None
    other = new_user()
    assert call("user_premium.json", other, source={"id": other}) is None


def test_a_buyer_plays_the_item_they_bought_and_no_other(tables: Any) -> None:
    # GIVEN two premium items, and a customer who buys one of them twice
    bought, other = an_item(tables), an_item(tables)
    carol = new_user()
    first = call("purchase_media.json", carol, id=bought)
    again = call("purchase_media.json", carol, id=bought)
    # THEN the purchase is recorded once, and comes back with the catalog fields of its item only
    assert again == first and first["mediaId"] == bought
    assert first["media"]["title"] == "A walk by the sea"
    assert not {"objectKey", "uploadKey"} & set(first["media"])
    # AND the bought item plays for them, the other does not
    assert play(carol, bought)["url"].startswith(f"{CDN}/media/{bought}/")
    with pytest.raises(Unauthorized):
        play(carol, other)
    # AND many customers buy the same item
    for _ in range(2):
        assert call("purchase_media.json", new_user(), id=bought)["mediaId"] == bought
    assert len(tables.Table("Purchases").scan(ConsistentRead=True)["Items"]) >= 3


def test_free_items_play_for_any_signed_in_user_and_cannot_be_bought(tables: Any) -> None:
    free = an_item(tables, premium=False)
    assert play(new_user(), free)["url"].startswith(f"{CDN}/media/{free}/")
    with pytest.raises(ValidationError, match="is free"):
        call("purchase_media.json", new_user(), id=free)


def test_an_item_without_a_playable_file_is_a_clear_error_and_a_missing_one_not_found(tables: Any) -> None:
    pending = an_item(tables, premium=False, status="PENDING_UPLOAD")
    with pytest.raises(MediaNotReadyError, match="is not ready to play \\(its status is PENDING_UPLOAD\\)"):
        play(new_user(), pending)
    with pytest.raises(NotFoundError):
        play(new_user(), str(uuid.uuid4()))


def test_a_request_without_a_user_is_unauthorized(tables: Any) -> None:
    with pytest.raises(UnauthorizedError):
        call("subscribe_premium.json", None, plan="MONTHLY")


def test_an_admin_gets_a_put_url_for_the_declared_type_and_size_and_the_item_awaits_it(
    tables: Any, local_aws: LocalAws
) -> None:
    # GIVEN an item, and the bytes of a video
    media_id = an_item(tables)
    video = b"\x1aE\xdf\xa3" + bytes(range(256)) * 4
    # WHEN an admin asks for an upload URL for it
    upload = call(
        "create_media_upload_url.json", new_user(), id=media_id, contentType="video/webm", size=len(video)
    )
    # THEN it is a PUT to a new key under the item, with the type and size in the signature
    assert (upload["method"], upload["contentType"], upload["size"]) == ("PUT", "video/webm", len(video))
    url = urlsplit(upload["url"])
    key = url.path.split(f"/{MEDIA_BUCKET}/", 1)[1]
    assert key.startswith(f"media/{media_id}/") and key.endswith(".webm")
    assert parse_qs(url.query)["X-Amz-SignedHeaders"] == ["content-length;content-type;host"]
    # AND the item awaits that upload
    item = tables.Table("Media").get_item(Key={"id": media_id}, ConsistentRead=True)["Item"]
    assert (item["uploadKey"], item["status"]) == (key, "PENDING_UPLOAD")
    # WHEN the admin's app PUTs the file with the declared type THEN S3 stores it so
    answer = requests.put(upload["url"], data=video, headers={"Content-Type": "video/webm"}, timeout=10)
    assert answer.status_code == 200, answer.text
    s3 = boto3.client("s3", endpoint_url=local_aws.endpoints.s3, region_name="us-east-1")
    stored = s3.get_object(Bucket=MEDIA_BUCKET, Key=key)
    assert (stored["ContentType"], stored["Body"].read()) == ("video/webm", video)


@pytest.mark.parametrize(
    ("content_type", "size", "message"),
    [("text/html", 10, "contentType must be one of"), ("video/mp4", 2**31, "size must be 1 to 1073741824")],
)
def test_an_upload_url_for_a_type_or_size_not_allowed_is_refused(
    tables: Any, content_type: str, size: int, message: str
) -> None:
    media_id = an_item(tables)
    with pytest.raises(ValidationError, match=message):
        call("create_media_upload_url.json", new_user(), id=media_id, contentType=content_type, size=size)
    item = tables.Table("Media").get_item(Key={"id": media_id}, ConsistentRead=True)["Item"]
    assert "uploadKey" not in item and item["status"] == "READY"
