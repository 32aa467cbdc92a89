"""Premium playback end to end: the URL `mediaPlaybackUrl` hands an entitled user plays through the local CDN
(ranges included) until its TTL, and the CDN refuses it expired, tampered, moved to another file or signed
with another key, as CloudFront would."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from botocore.signers import CloudFrontSigner
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.contract.clients import run, user_client
from tests.fixtures.live_server import LiveServer

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = (ROOT / "seed" / "media" / "sample.webm").read_bytes()
PREMIUM_ID = "3d0c1a5e-0000-4000-8000-00000000e001"  # "Colour bars" in seed/demo.json
FREE_ID = "3d0c1a5e-0000-4000-8000-00000000e002"
PLAY = "query($id: ID!) { mediaPlaybackUrl(id: $id) { url expiresAt } }"
SUBSCRIBE = "mutation { subscribePremium(plan: MONTHLY) { active } }"


@pytest.fixture
def subscriber_url(live_server: LiveServer) -> str:
    """A playback URL for the premium sample, asked for by a new premium subscriber."""
    client = user_client(live_server.url, live_server.token(f"fan-{uuid.uuid4().hex[:8]}"))
    assert run(client, SUBSCRIBE)["subscribePremium"]["active"] is True
    return str(run(client, PLAY, id=PREMIUM_ID)["mediaPlaybackUrl"]["url"])


@pytest.fixture
def moved_clock(live_server: LiveServer) -> Iterator[list[float]]:
    """Seconds to add to the CDN's clock (set the list's one value); the clock is put back afterwards."""
    offset = [0.0]
    cdn = live_server.cdn
    original = cdn.clock
    cdn.clock = lambda: original() + offset[0]
    try:
        yield offset
    finally:
        cdn.clock = original


def _refusal(response: httpx.Response) -> tuple[int, str]:
    assert response.headers["content-type"].startswith("text/xml")
    return response.status_code, response.text.split("<Code>")[1].split("</Code>")[0]


def test_the_playback_url_plays_with_ranges_until_its_ttl(
    live_server: LiveServer, subscriber_url: str, moved_clock: list[float]
) -> None:
    # GIVEN the URL an entitled user got
    assert subscriber_url.startswith(f"{live_server.base_url}/_cdn/premium-media/")
    # WHEN a player opens it and seeks
    whole = httpx.get(subscriber_url, timeout=10)
    part = httpx.get(subscriber_url, headers={"Range": "bytes=100-199"}, timeout=10)
    # THEN it is the video, and ranges are honoured
    assert (whole.status_code, whole.headers["content-type"], whole.content) == (200, "video/webm", SAMPLE)
    assert (part.status_code, part.headers["content-range"], part.content) == (
        206,
        f"bytes 100-199/{len(SAMPLE)}",
        SAMPLE[100:200],
    )
    # AND five minutes later (the configured TTL) the same URL is refused
    moved_clock[0] = 301
    assert _refusal(httpx.get(subscriber_url, timeout=10)) == (403, "AccessDenied")


def test_altered_or_foreign_urls_are_refused(live_server: LiveServer, subscriber_url: str) -> None:
    query = {name: values[0] for name, values in parse_qs(urlsplit(subscriber_url).query).items()}
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def rsa_signer(message: bytes) -> bytes:
        return other_key.sign(message, padding.PKCS1v15(), hashes.SHA1())

    forged = CloudFrontSigner(query["Key-Pair-Id"], rsa_signer).generate_presigned_url(
        subscriber_url.split("?")[0], date_less_than=datetime(2100, 1, 1, tzinfo=UTC)
    )
    free_file = subscriber_url.replace(PREMIUM_ID, FREE_ID)
    cases = {
        "unsigned": subscriber_url.split("?")[0],
        "tampered": subscriber_url.replace("Signature=", "Signature=A"),
        "another file": free_file,
        "another key": forged,
    }
    answers = {name: _refusal(httpx.get(url, timeout=10)) for name, url in cases.items()}
    assert answers == {
        "unsigned": (403, "MissingKey"),
        "tampered": (403, "AccessDenied"),
        "another file": (403, "AccessDenied"),
        "another key": (403, "AccessDenied"),
    }


def test_the_media_bucket_is_reached_only_through_the_cdn(
    live_server: LiveServer, subscriber_url: str
) -> None:
    # The API hands out CDN URLs only: the file's S3 location is never a URL a client gets.
    catalog = run(
        user_client(live_server.url, live_server.token(f"reader-{uuid.uuid4().hex[:8]}")),
        "{ listMedia { items { id thumbnailUrl } } }",
    )["listMedia"]["items"]
    urls = [subscriber_url, *(item["thumbnailUrl"] for item in catalog if item["thumbnailUrl"])]
    assert all(url.startswith(f"{live_server.base_url}/_cdn/premium-media/") for url in urls)
    assert all("X-Amz-Signature" not in url for url in urls)
    # AND posters are a public path of the distribution: they load without a signature
    posters = [item["thumbnailUrl"] for item in catalog if item["id"] in (PREMIUM_ID, FREE_ID)]
    assert len(posters) == 2
    for poster in posters:
        answer = httpx.get(poster, timeout=10)
        assert (answer.status_code, answer.headers["content-type"]) == (200, "image/jpeg")
