"""The headers AppSync's front adds to what resolvers see (appsync_local/forwarded_headers.py)."""

from __future__ import annotations

import re

import pytest

from appsync_local.forwarded_headers import device_kind, forwarded_headers, trace_id

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
IPAD = "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
ANDROID_PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"
)
ANDROID_TABLET = "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
SMART_TV = "Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 SamsungBrowser/4.0 TV Safari/537.36"
MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


@pytest.mark.parametrize(
    ("user_agent", "kind"),
    [
        (IPHONE, "mobile"),
        (ANDROID_PHONE, "mobile"),
        (IPAD, "tablet"),
        (ANDROID_TABLET, "tablet"),
        (SMART_TV, "smarttv"),
        (MAC, "desktop"),
        ("python-httpx/0.28.1", "desktop"),
        ("", "desktop"),
    ],
)
def test_the_device_kind_comes_from_the_user_agent(user_agent: str, kind: str) -> None:
    assert device_kind(user_agent) == kind


def test_a_trace_id_has_x_rays_form() -> None:
    assert re.fullmatch(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24}", trace_id())
    assert trace_id(now=0x5F512F51).startswith("Root=1-5f512f51-")


def test_headers_of_a_plain_request() -> None:
    # WHEN a request with no forwarding headers arrives over HTTPS from 10.0.0.5
    headers = forwarded_headers(
        {"user-agent": MAC, "content-type": "application/json"},
        client_ip="10.0.0.5",
        scheme="https",
        port=4443,
        host="127.0.0.1:4443",
    )
    # THEN the client's headers are kept and CloudFront's are added
    assert headers["content-type"] == "application/json"
    assert headers["host"] == "127.0.0.1:4443"
    assert headers["x-forwarded-for"] == "10.0.0.5"
    assert (headers["x-forwarded-proto"], headers["x-forwarded-port"]) == ("https", "4443")
    assert headers["cloudfront-forwarded-proto"] == "https"
    assert headers["via"] == "2.0 local.cloudfront.net (CloudFront)"
    assert headers["cloudfront-is-desktop-viewer"] == "true"
    assert headers["cloudfront-is-mobile-viewer"] == "false"
    assert re.fullmatch(r"[A-Za-z0-9_-]{56}", headers["x-amz-cf-id"])


def test_a_trace_id_sent_by_the_client_is_kept_and_proxies_are_appended_to() -> None:
    headers = forwarded_headers(
        {
            "x-amzn-trace-id": "Root=1-5f512f51-fac632066c5e848ae7140000",
            "x-forwarded-for": "192.0.2.1",
            "via": "1.1 corporate-proxy",
            "cloudfront-is-desktop-viewer": "false",
            "CloudFront-Viewer-Country".lower(): "FR",
        },
        client_ip="10.0.0.5",
        scheme="http",
        port=4000,
        host="localhost:4000",
    )
    assert headers["x-amzn-trace-id"] == "Root=1-5f512f51-fac632066c5e848ae7140000"
    assert headers["x-forwarded-for"] == "192.0.2.1, 10.0.0.5"
    assert headers["via"] == "1.1 corporate-proxy, 2.0 local.cloudfront.net (CloudFront)"
    # a viewer cannot set CloudFront's own headers
    assert headers["cloudfront-is-desktop-viewer"] == "true"
    assert headers["cloudfront-viewer-country"] == "ZZ"


def test_the_cookie_header_is_not_passed_to_resolvers() -> None:
    # WHEN a browser's request carries its cookies
    headers = forwarded_headers(
        {"cookie": "session=abc", "x-custom": "kept"},
        client_ip="10.0.0.5",
        scheme="https",
        port=4443,
        host="127.0.0.1:4443",
    )
    # THEN resolvers see its other headers but not the cookies, as AppSync does not expose them
    assert "cookie" not in headers
    assert headers["x-custom"] == "kept"
