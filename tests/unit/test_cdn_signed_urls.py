"""The local CDN checks signed URLs as CloudFront does: URLs made by botocore's CloudFrontSigner, then altered."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.signers import CloudFrontSigner
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from appsync_local.cdn.signed_urls import (
    ACCESS_DENIED,
    MALFORMED_POLICY,
    MISSING_KEY,
    UNKNOWN_KEY,
    Refusal,
    check,
    resource_matches,
    signed_request,
)

NOW = 1_800_000_000
BASE = "https://d111111abcdef8.cloudfront.net"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KEY_ID = "K2JCJMDEHXQW5F"
TRUSTED = {KEY_ID: KEY.public_key()}


def _signer(key: rsa.RSAPrivateKey = KEY, key_id: str = KEY_ID) -> CloudFrontSigner:
    def rsa_signer(message: bytes) -> bytes:
        return key.sign(message, padding.PKCS1v15(), hashes.SHA1())

    return CloudFrontSigner(key_id, rsa_signer)


def _at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _verdict(
    url: str, now: float = NOW, client_ip: str = "203.0.113.7", cookies: dict[str, str] | None = None
) -> Refusal | None:
    parts = urlsplit(url)
    request = signed_request(parts.scheme, parts.netloc, parts.path, parts.query, cookies or {}, client_ip)
    return check(request, TRUSTED, now)


def _custom(resource: str, **conditions: object) -> str:
    signer = _signer()
    policy = signer.build_policy(resource, _at(NOW + 300), **conditions)  # type: ignore[arg-type]
    return str(signer.generate_presigned_url(f"{BASE}/videos/intro.webm", policy=policy))


def test_a_canned_url_is_served_until_it_expires() -> None:
    # GIVEN a canned-policy URL valid for five minutes
    url = _signer().generate_presigned_url(f"{BASE}/videos/intro.webm", date_less_than=_at(NOW + 300))
    # THEN it is served now, and refused from its expiry on
    assert _verdict(url) is None
    assert _verdict(url, now=NOW + 299) is None
    assert _verdict(url, now=NOW + 300) == ACCESS_DENIED


def test_a_custom_policy_is_checked_condition_by_condition() -> None:
    exact = _custom(f"{BASE}/videos/intro.webm")
    assert _verdict(exact) is None
    assert _verdict(exact, now=NOW + 301) == ACCESS_DENIED
    # DateGreaterThan: not before
    later = _custom(f"{BASE}/videos/intro.webm", date_greater_than=_at(NOW + 60))
    assert _verdict(later) == ACCESS_DENIED
    assert _verdict(later, now=NOW + 61) is None
    # IpAddress: botocore makes a bare address a /32
    pinned = _custom(f"{BASE}/videos/intro.webm", ip_address="203.0.113.7")
    assert _verdict(pinned) is None
    assert _verdict(pinned, client_ip="198.51.100.1") == ACCESS_DENIED


def test_a_custom_policy_resource_may_be_a_pattern() -> None:
    assert _verdict(_custom(f"{BASE}/videos/*")) is None
    assert _verdict(_custom(f"{BASE}/videos/intro.web?")) is None
    assert _verdict(_custom(f"{BASE}/audio/*")) == ACCESS_DENIED
    assert _verdict(_custom(f"{BASE}/videos/intro.webm?x=*")) == ACCESS_DENIED


@pytest.mark.parametrize(
    "alter",
    [
        pytest.param(lambda url: url.replace("/videos/intro.webm", "/videos/other.webm"), id="another path"),
        pytest.param(lambda url: url.replace("d111111abcdef8", "d222222abcdef8"), id="another host"),
        pytest.param(lambda url: url.replace("Expires=", "Expires=9"), id="a later expiry"),
        pytest.param(lambda url: url.replace("Signature=", "Signature=AAAA"), id="a tampered signature"),
    ],
)
def test_any_change_to_a_canned_url_is_refused(alter: Callable[[str], str]) -> None:
    url = _signer().generate_presigned_url(f"{BASE}/videos/intro.webm", date_less_than=_at(NOW + 300))
    assert _verdict(alter(url)) == ACCESS_DENIED


def test_an_expiry_of_non_ascii_digits_is_a_malformed_policy_not_a_crash() -> None:
    url = _signer().generate_presigned_url(f"{BASE}/videos/intro.webm", date_less_than=_at(NOW + 300))
    superscript = re.sub(r"Expires=\d+", "Expires=%C2%B2", url)  # "²": a digit to str.isdigit, not to int()
    assert _verdict(superscript) == MALFORMED_POLICY


def test_a_url_signed_with_another_key_is_refused() -> None:
    # GIVEN the right Key-Pair-Id but a signature made with a different private key
    forged = _signer(OTHER_KEY).generate_presigned_url(f"{BASE}/a.webm", date_less_than=_at(NOW + 300))
    assert _verdict(forged) == ACCESS_DENIED
    # AND a key the distribution does not trust at all
    unknown = _signer(OTHER_KEY, "K0THERKEY00000").generate_presigned_url(
        f"{BASE}/a.webm", date_less_than=_at(NOW + 300)
    )
    assert _verdict(unknown) == UNKNOWN_KEY


def test_unsigned_and_half_signed_requests_are_refused() -> None:
    assert _verdict(f"{BASE}/videos/intro.webm") == MISSING_KEY
    url = _signer().generate_presigned_url(f"{BASE}/videos/intro.webm", date_less_than=_at(NOW + 300))
    assert _verdict(url.replace("&Key-Pair-Id=" + KEY_ID, "")) == MISSING_KEY
    without_signature = "&".join(p for p in url.split("&") if not p.startswith("Signature="))
    assert _verdict(without_signature) == ACCESS_DENIED


def _with_policy(document: bytes) -> str:
    encoded = base64.b64encode(document).decode().translate(str.maketrans("+=/", "-_~"))
    signature = base64.b64encode(KEY.sign(document, padding.PKCS1v15(), hashes.SHA1())).decode()
    signature = signature.translate(str.maketrans("+=/", "-_~"))
    return f"{BASE}/videos/intro.webm?Policy={encoded}&Signature={signature}&Key-Pair-Id={KEY_ID}"


@pytest.mark.parametrize(
    "document",
    [
        b"not json",
        b'{"Statement":[]}',
        b'{"Statement":[{"Resource":"*"}]}',
        b'{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":"soon"}}}]}',
        json.dumps({"Statement": [{"Condition": {"DateLessThan": {"AWS:EpochTime": NOW + 9}}}] * 2}).encode(),
        json.dumps(
            {
                "Statement": [
                    {
                        "Condition": {
                            "DateLessThan": {"AWS:EpochTime": NOW + 9},
                            "IpAddress": {"AWS:SourceIp": "x"},
                        }
                    }
                ]
            }
        ).encode(),
    ],
)
def test_a_malformed_policy_is_named_so_even_when_signed(document: bytes) -> None:
    assert _verdict(_with_policy(document)) == MALFORMED_POLICY


def test_a_policy_without_resource_covers_every_object() -> None:
    document = json.dumps(
        {"Statement": [{"Condition": {"DateLessThan": {"AWS:EpochTime": NOW + 9}}}]}
    ).encode()
    assert _verdict(_with_policy(document)) is None


def test_the_query_string_of_a_canned_url_is_part_of_what_is_signed() -> None:
    url = _signer().generate_presigned_url(f"{BASE}/a.webm?quality=hd", date_less_than=_at(NOW + 300))
    assert parse_qs(urlsplit(url).query)["quality"] == ["hd"]
    assert _verdict(url) is None
    assert _verdict(url.replace("quality=hd", "quality=4k")) == ACCESS_DENIED


def test_signed_cookies_work_like_signed_urls() -> None:
    url = _custom(f"{BASE}/videos/*")
    values = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    cookies = {f"CloudFront-{name}": value for name, value in values.items()}
    assert _verdict(f"{BASE}/videos/intro.webm", cookies=cookies) is None
    assert _verdict(f"{BASE}/audio/intro.webm", cookies=cookies) == ACCESS_DENIED


def test_sha256_signatures_are_accepted_when_the_url_says_so() -> None:
    document = json.dumps(
        {"Statement": [{"Condition": {"DateLessThan": {"AWS:EpochTime": NOW + 9}}}]}
    ).encode()
    encoded = base64.b64encode(document).decode().translate(str.maketrans("+=/", "-_~"))
    signature = base64.b64encode(KEY.sign(document, padding.PKCS1v15(), hashes.SHA256())).decode()
    signature = signature.translate(str.maketrans("+=/", "-_~"))
    url = f"{BASE}/a.webm?Policy={encoded}&Signature={signature}&Key-Pair-Id={KEY_ID}"
    assert _verdict(url) == ACCESS_DENIED
    assert _verdict(url + "&Hash-Algorithm=SHA256") is None


@pytest.mark.parametrize(
    ("pattern", "url", "matches"),
    [
        ("https://d/*", "https://d/a/b/c.webm", True),
        ("https://d/a/*.webm", "https://d/a/b/c.webm", True),
        ("https://d/a/?.webm", "https://d/a/bc.webm", False),
        ("https://d/a.webm", "https://d/a.webm?x=1", False),
        ("https://d/a.webm*", "https://d/a.webm?x=1", True),
        ("https://d/a+b.webm", "https://d/a+b.webm", True),
    ],
)
def test_resource_patterns(pattern: str, url: str, matches: bool) -> None:
    assert resource_matches(pattern, url) is matches
