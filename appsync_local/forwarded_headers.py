"""The request headers AppSync's front (CloudFront) adds before resolvers see `request.headers`.

On AWS every GraphQL request passes CloudFront, so resolvers (`ctx.request.headers`, the Lambda event's
`request.headers`) see, besides the client's own headers: `x-forwarded-for`, `x-forwarded-proto`,
`x-forwarded-port`, `via`, `x-amz-cf-id`, `x-amzn-trace-id`, `cloudfront-forwarded-proto`,
`cloudfront-viewer-country` and `cloudfront-is-{desktop,mobile,tablet,smarttv}-viewer`, and `host` is the
API's host. Names as AppSync passes them (aws-powertools/powertools-lambda-python
tests/events/appSyncDirectResolver.json, a captured event; awslabs/aws-mobile-appsync-sdk-js#584).

The values are the local counterparts: the client's address and the scheme and port it connected to; a
loopback viewer has no country, so `cloudfront-viewer-country` is `ZZ` (ISO 3166's code for an unknown
country); the device kind comes from a coarse reading of `User-Agent`.
"""

from __future__ import annotations

import base64
import re
import secrets
import time
from collections.abc import Mapping

UNKNOWN_COUNTRY = "ZZ"
# The local edge's name in `via`, in CloudFront's form `2.0 <distribution host> (CloudFront)`.
LOCAL_EDGE = "local.cloudfront.net"

_SMART_TV = re.compile(r"smart-?tv|googletv|appletv|hbbtv|bravia|netcast|roku|\btv\b", re.IGNORECASE)
_TABLET = re.compile(r"ipad|tablet|playbook|silk|kindle|android(?!.*mobile)", re.IGNORECASE)
_MOBILE = re.compile(r"mobi|iphone|ipod|windows phone|blackberry|opera mini", re.IGNORECASE)


def device_kind(user_agent: str) -> str:
    """ "smarttv", "tablet", "mobile" or "desktop", as CloudFront's `CloudFront-Is-*-Viewer` headers tell."""
    for kind, pattern in (("smarttv", _SMART_TV), ("tablet", _TABLET), ("mobile", _MOBILE)):
        if pattern.search(user_agent):
            return kind
    return "desktop"


def trace_id(now: float | None = None) -> str:
    """An X-Ray trace header (`Root=1-<epoch seconds, 8 hex>-<24 hex>`), as AWS's front ends add one."""
    seconds = int(time.time() if now is None else now)
    return f"Root=1-{seconds:08x}-{secrets.token_hex(12)}"


def _cloudfront_request_id() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(42)).decode()


def forwarded_headers(
    headers: Mapping[str, str], *, client_ip: str, scheme: str, port: int, host: str
) -> dict[str, str]:
    """The headers resolvers see for a request that arrived with `headers` (lower-case names).

    `client_ip` is the connecting client's address; `scheme` ("http" or "https"), `port` and `host`
    (`host[:port]`) are where it connected. The client's own headers are kept, but CloudFront's own names,
    which a viewer cannot set, are replaced, and `cookie` is dropped: AppSync does not expose it to resolvers
    (devguide: resolver-context-reference-js, "Access request headers").
    """
    seen = dict(headers)
    forwarded_for = seen.get("x-forwarded-for")
    via = seen.get("via")
    kind = device_kind(seen.get("user-agent", ""))
    added = {
        "host": seen.get("host") or host,
        "x-forwarded-for": f"{forwarded_for}, {client_ip}" if forwarded_for else client_ip,
        "x-forwarded-proto": scheme,
        "x-forwarded-port": str(port),
        "via": f"{via}, 2.0 {LOCAL_EDGE} (CloudFront)" if via else f"2.0 {LOCAL_EDGE} (CloudFront)",
        "x-amz-cf-id": _cloudfront_request_id(),
        "x-amzn-trace-id": seen.get("x-amzn-trace-id") or trace_id(),
        "cloudfront-forwarded-proto": scheme,
        "cloudfront-viewer-country": UNKNOWN_COUNTRY,
        **{
            f"cloudfront-is-{name}-viewer": "true" if name == kind else "false"
            for name in ("desktop", "mobile", "tablet", "smarttv")
        },
    }
    kept = {k: v for k, v in seen.items() if k != "cookie" and not k.startswith("cloudfront-")}
    return {**kept, **added}
