"""One local distribution: a bucket served as its CloudFront distribution serves it.

A request to a signed distribution is checked first (`signed_urls`), except under its public paths; then it
is answered from the edge's copy when that is fresh, or from the origin. Ranges (206, 416), ETags and
`If-None-Match` (304) are honoured; `X-Cache` says `Hit`, `RefreshHit`, `Miss` or `Error from cloudfront`,
and `Age` how old a copy is.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from fnmatch import fnmatchcase

from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from appdef import BucketConfig

from .edge_cache import CachedObject, EdgeCache, EdgeStatistics
from .origin import BucketOrigin, OriginError, OriginObject
from .signed_urls import Refusal, check, signed_request

DEFAULT_ROOT_OBJECT = "index.html"
_SINGLE_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_SERVED_HEADERS = (
    "content-type",
    "etag",
    "last-modified",
    "cache-control",
    "content-encoding",
    "content-disposition",
)
VIA = "1.1 local.cloudfront.net (CloudFront)"


def error_response(status: int, code: str, message: str) -> Response:
    """CloudFront's (and S3's) XML error body."""
    body = f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{message}</Message></Error>'
    return Response(
        body,
        status_code=status,
        media_type="text/xml",
        headers={"x-cache": "Error from cloudfront", "via": VIA},
    )


class LocalDistribution:
    """A `cdn = true` bucket's distribution.

    Parameters
    ----------
    bucket
        The bucket's definition (`signed_urls` makes the distribution signed).
    origin
        Reads the bucket.
    trusted_keys
        Key-Pair-Id -> public key, for signed distributions.
    clock
        Seconds since the epoch; signatures expire and copies go stale by it.
    """

    def __init__(
        self,
        bucket: BucketConfig,
        origin: BucketOrigin,
        trusted_keys: Mapping[str, rsa.RSAPublicKey] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.name = bucket.name
        self.origin = origin
        self.signed = bucket.signed_urls is not None
        self.public_paths = bucket.signed_urls.public_paths if bucket.signed_urls else ()
        self.trusted_keys = dict(trusted_keys or {})
        self.clock = clock
        self.cache = EdgeCache(clock=lambda: self.clock())
        self.stats = EdgeStatistics()

    def needs_signature(self, key: str) -> bool:
        """Whether a request for `key` must be signed (a signed distribution, outside its public paths)."""
        return self.signed and not any(fnmatchcase(key, pattern) for pattern in self.public_paths)

    def refusal(self, request: Request, key: str) -> Refusal | None:
        """Why CloudFront would refuse `request` for `key` (None: it may be served)."""
        if not self.needs_signature(key):
            return None
        scope = request.scope
        raw_path = scope.get("raw_path", scope["path"].encode()).decode("latin-1")
        signed = signed_request(
            scope.get("scheme", "http"),
            request.headers.get("host", ""),
            raw_path,
            scope.get("query_string", b"").decode("latin-1"),
            request.cookies,
            request.client.host if request.client else "",
        )
        return check(signed, self.trusted_keys, self.clock())

    def serve(self, request: Request, key: str) -> Response:
        """Answer a GET or HEAD for `key` (the path after the distribution's root)."""
        self.stats.requests += 1
        key = key or DEFAULT_ROOT_OBJECT
        refused = self.refusal(request, key)
        if refused is not None:
            self.stats.refused += 1
            return error_response(403, refused.code, refused.message)
        wanted = request.headers.get("range")
        byte_range = wanted if wanted and _SINGLE_RANGE.match(wanted) else None
        if_none_match = request.headers.get("if-none-match")
        head = request.method == "HEAD"
        try:
            cached, verdict = self._cached(key)
            if cached is not None:
                return _from_copy(cached, verdict, self.clock(), byte_range, if_none_match, head)
            self.stats.misses += 1
            if head:
                return self._passed_through(
                    self.origin.get(key, if_none_match=if_none_match, head=True), head
                )
            if byte_range:
                part = self.origin.get(key, byte_range=byte_range, if_none_match=if_none_match)
                if part.status != 206 or _total_size(part) > self.cache.max_object_bytes:
                    return self._passed_through(part, head)  # too large to keep: each range from the origin
                part.discard()  # small enough to keep: fetch it whole, then answer the range from the copy
            answer = self.origin.get(key, if_none_match=if_none_match)
            if answer.status == 304 or answer.length > self.cache.max_object_bytes:
                return self._passed_through(answer, head)
            body = answer.read()
            self.stats.origin_bytes += len(body)
            kept = self.cache.put(key, body, answer.headers)
            if kept is None:
                return _response(200, answer.headers, body, "Miss", None, head)
            return _from_copy(kept, "Miss", self.clock(), byte_range, if_none_match, head)
        except OriginError as exc:
            return error_response(exc.status, exc.code, exc.message)

    def _cached(self, key: str) -> tuple[CachedObject | None, str]:
        """The edge's copy of `key`, revalidated with the origin when stale, and how it was found."""
        cached = self.cache.get(key)
        if cached is None:
            return None, "Miss"
        if cached.fresh(self.clock()):
            self.stats.hits += 1
            return cached, "Hit"
        etag = cached.headers.get("etag")
        answer = self.origin.get(key, if_none_match=etag) if etag else None
        if answer is not None and answer.status == 304:
            self.cache.revalidated(key)
            self.stats.refresh_hits += 1
            return cached, "RefreshHit"
        self.cache.invalidate(key)
        if answer is None:
            return None, "Miss"
        self.stats.misses += 1
        body = answer.read()
        self.stats.origin_bytes += len(body)
        kept = self.cache.put(key, body, answer.headers)
        if kept is None:
            self.cache.invalidate(key)
            return CachedObject(body, answer.headers, self.clock(), 0), "Miss"
        return kept, "Miss"

    def _passed_through(self, answer: OriginObject, head: bool) -> Response:
        headers = {
            name: answer.headers[name]
            for name in (*_SERVED_HEADERS, "content-range")
            if name in answer.headers
        }
        headers.update({"accept-ranges": "bytes", "x-cache": "Miss from cloudfront", "via": VIA})
        if answer.status == 304:
            return Response(status_code=304, headers=headers)
        if head:
            headers["content-length"] = str(answer.length)
            return Response(status_code=answer.status, headers=headers)
        self.stats.origin_bytes += answer.length
        return StreamingResponse(answer.chunks(), status_code=answer.status, headers=headers)


def _total_size(part: OriginObject) -> int:
    """The whole object's size, from a ranged answer's `Content-Range: bytes a-b/size`."""
    total = part.headers.get("content-range", "").rpartition("/")[2]
    return int(total) if total.isascii() and total.isdigit() else 0


def _from_copy(
    cached: CachedObject,
    verdict: str,
    now: float,
    byte_range: str | None,
    if_none_match: str | None,
    head: bool,
) -> Response:
    etag = cached.headers.get("etag")
    age = cached.age(now) if verdict != "Miss" else None
    if if_none_match and etag and etag in {tag.strip() for tag in if_none_match.split(",")}:
        return _response(304, cached.headers, b"", verdict, age, head=True)
    size = len(cached.body)
    if byte_range:
        match = _SINGLE_RANGE.match(byte_range)
        assert match is not None
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
        elif last:
            start, end = max(0, size - int(last)), size - 1
        else:
            start, end = 0, -1
        if start >= size or start > end:
            headers = {"content-range": f"bytes */{size}"}
            response = error_response(416, "InvalidRange", "The requested range is not satisfiable")
            response.headers.update(headers)
            return response
        part_headers = {**cached.headers, "content-range": f"bytes {start}-{end}/{size}"}
        return _response(206, part_headers, cached.body[start : end + 1], verdict, age, head)
    return _response(200, cached.headers, cached.body, verdict, age, head)


def _response(
    status: int, headers: Mapping[str, str], body: bytes, verdict: str, age: int | None, head: bool
) -> Response:
    served = {name: headers[name] for name in (*_SERVED_HEADERS, "content-range") if name in headers}
    served.update({"accept-ranges": "bytes", "x-cache": f"{verdict} from cloudfront", "via": VIA})
    if age is not None:
        served["age"] = str(age)
    if head:
        response = Response(status_code=status, headers=served)
        if status != 304:
            response.headers["content-length"] = str(len(body))
        return response
    return Response(body, status_code=status, headers=served)
