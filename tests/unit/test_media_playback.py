"""Playback URLs: refused unless entitled and READY, and signed by botocore's CloudFrontSigner as CloudFront reads
them (a custom policy naming exactly the file, until now + the TTL, RSA-SHA1 by the trusted key)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from resolvers.media.adapters.cloudfront_signer import CloudFrontUrlSigner, source_cidr
from resolvers.media.domain.entitlement import Entitlements
from resolvers.media.domain.errors import (
    ConfigurationError,
    MediaNotReadyError,
    NotEntitledError,
    NotFoundError,
)
from resolvers.media.domain.models import Caller, Media, Purchase
from resolvers.media.domain.playback_service import PlaybackService
from resolvers.media.domain.ports import PlaybackSigner
from tests.fakes.media import (
    InMemoryCatalog,
    InMemoryPurchases,
    InMemorySubscriptions,
    RecordingPlaybackSigner,
    media_item,
)
from tests.fixtures.cloudfront import new_key_pair, parse_signed_url

CDN = "https://d111111abcdef8.cloudfront.net"
KEY_PAIR_ID = "K2JCJMDEHXQW5F"
NOW = datetime(2024, 5, 1, 12, 0, 0, 250_000, tzinfo=UTC)
BOB = Caller(sub="22222222-bbbb-4bbb-8bbb-222222222222", source_ip="203.0.113.24")
PEM, PUBLIC_KEY = new_key_pair()


def playback(
    *items: Media,
    purchases: tuple[Purchase, ...] = (),
    signer: PlaybackSigner | None = None,
    clock: Callable[[], datetime] = lambda: NOW,
    bind_source_ip: bool = False,
) -> PlaybackService:
    """The service over `items`, with no subscriptions, signing with the test key (or `signer`)."""
    return PlaybackService(
        InMemoryCatalog(*items),
        Entitlements(InMemorySubscriptions(), InMemoryPurchases(*purchases)),
        signer or CloudFrontUrlSigner(KEY_PAIR_ID, lambda: PEM),
        clock=clock,
        cdn_base_url=CDN + "/",
        url_ttl_seconds=300,
        bind_source_ip=bind_source_ip,
    )


def test_a_free_item_plays_by_a_signed_url_for_exactly_its_file_until_the_ttl() -> None:
    # GIVEN a free READY item whose file has a space in its name
    item = media_item("m1", premium=False, object_key="media/m1/sea side.webm")
    # WHEN bob asks for its playback URL
    signed = playback(item).playback_url(BOB, "m1")
    # THEN it is the file's CDN URL with CloudFront's three parameters
    parts = parse_signed_url(signed.url)
    assert parts.base == f"{CDN}/media/m1/sea%20side.webm"
    assert parts.key_pair_id == KEY_PAIR_ID
    # AND the policy names exactly that URL, until now + 300 s (whole seconds), and nothing else
    assert parts.resource == f"{CDN}/media/m1/sea%20side.webm"
    assert parts.date_less_than == int(NOW.timestamp()) + 300
    assert set(parts.statement["Condition"]) == {"DateLessThan"}
    # AND expiresAt is that moment
    assert signed.expires_at == "2024-05-01T12:05:00.000Z"
    # AND it is signed with RSA-SHA1 by the private half of the key CloudFront trusts
    assert parts.signed_by(PUBLIC_KEY)
    assert not parts.signed_by(new_key_pair()[1])


def test_the_policy_is_compact_json_as_cloudfront_expects() -> None:
    signed = playback(media_item("m1", premium=False)).playback_url(BOB, "m1")
    assert b" " not in parse_signed_url(signed.url).policy_text


def test_with_the_source_ip_switch_the_url_works_only_from_the_callers_address() -> None:
    signer = RecordingPlaybackSigner()
    playback(media_item("m1", premium=False), signer=signer, bind_source_ip=True).playback_url(BOB, "m1")
    playback(media_item("m1", premium=False), signer=signer).playback_url(BOB, "m1")
    assert [ip for _, _, ip in signer.signed] == ["203.0.113.24", None]
    # AND the real signer puts the address, as a one-address range, into the policy
    signed = playback(media_item("m1", premium=False), bind_source_ip=True).playback_url(BOB, "m1")
    condition = parse_signed_url(signed.url).statement["Condition"]
    assert condition["IpAddress"] == {"AWS:SourceIp": "203.0.113.24/32"}


@pytest.mark.parametrize(
    ("address", "cidr"), [("203.0.113.24", "203.0.113.24/32"), ("2001:db8::1", "2001:db8::1/128")]
)
def test_a_source_address_is_a_one_address_range(address: str, cidr: str) -> None:
    assert source_cidr(address) == cidr


def test_premium_items_are_refused_to_callers_without_entitlement_and_played_by_buyers() -> None:
    item = media_item("m1")
    with pytest.raises(NotEntitledError):
        playback(item).playback_url(BOB, "m1")
    bought = Purchase(user_id=BOB.sub, media_id="m1", purchased_at="2024-04-01T00:00:00.000Z")
    assert playback(item, purchases=(bought,)).playback_url(BOB, "m1").url.startswith(f"{CDN}/media/m1/")


@pytest.mark.parametrize("status", ["PENDING_UPLOAD", "FAILED"])
def test_an_item_that_is_not_ready_is_a_clear_error_for_an_entitled_caller(status: str) -> None:
    item = media_item("m1", premium=False, status=status, object_key=None)
    with pytest.raises(
        MediaNotReadyError, match=f"Media 'm1' is not ready to play \\(its status is {status}\\)"
    ):
        playback(item).playback_url(BOB, "m1")


def test_a_refusal_comes_before_readiness_and_a_missing_item_is_not_found() -> None:
    pending = media_item("m1", status="PENDING_UPLOAD", object_key=None)
    with pytest.raises(NotEntitledError):
        playback(pending).playback_url(BOB, "m1")
    with pytest.raises(NotFoundError, match="Media 'm2' not found"):
        playback(pending).playback_url(BOB, "m2")


def test_a_secret_that_is_not_an_rsa_key_is_a_configuration_error() -> None:
    signer = CloudFrontUrlSigner(KEY_PAIR_ID, lambda: "not a key")
    with pytest.raises(ConfigurationError, match="does not hold a PEM private key"):
        playback(media_item("m1", premium=False), signer=signer).playback_url(BOB, "m1")


def test_the_key_is_read_through_its_loader_on_every_signature() -> None:
    # GIVEN a loader that counts its calls (Powertools Parameters caches the secret behind it)
    calls: list[int] = []

    def pem() -> str:
        calls.append(1)
        return PEM

    service = playback(media_item("m1", premium=False), signer=CloudFrontUrlSigner(KEY_PAIR_ID, pem))
    urls = {service.playback_url(BOB, "m1").url for _ in range(2)}
    # THEN a rotated secret would be picked up by the next URL, and the same moment signs the same URL
    assert len(calls) == 2 and len(urls) == 1


def test_a_later_request_gets_a_later_expiry() -> None:
    item = media_item("m1", premium=False)
    first = playback(item).playback_url(BOB, "m1")
    later = playback(item, clock=lambda: NOW + timedelta(minutes=1)).playback_url(BOB, "m1")
    assert parse_signed_url(later.url).date_less_than == parse_signed_url(first.url).date_less_than + 60
