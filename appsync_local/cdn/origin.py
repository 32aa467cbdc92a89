"""The local CDN: each bucket `appsync.toml` marks `cdn = true`, served at `/_cdn/<bucket>/<key>`.

As CloudFront serves it with origin access control: objects are streamed from the private bucket (the local
S3) with their content type, ETag and caching headers, ranges are honoured (206, 416), and an object that is
missing answers 403 `AccessDenied` in S3's XML (CloudFront's origin access cannot list the bucket, so S3
does not say "not found"). Only GET and HEAD; the bucket itself is never listed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from appdef import AppConfig

from .local_references import CDN_PATH

_RANGE = re.compile(r"^bytes=\d*-\d*$")
_PASSED_HEADERS = {
    "ContentType": "content-type",
    "ETag": "etag",
    "LastModified": "last-modified",
    "CacheControl": "cache-control",
    "ContentRange": "content-range",
    "ContentLength": "content-length",
    "ContentEncoding": "content-encoding",
    "ContentDisposition": "content-disposition",
}
_CHUNK = 64 * 1024


def _error(status: int, code: str, message: str) -> Response:
    body = f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{message}</Message></Error>'
    return Response(body, status_code=status, media_type="text/xml")


def cdn_routes(config: AppConfig, s3: Any) -> list[BaseRoute]:
    """The routes of every `cdn = true` bucket, reading objects with the boto3 client `s3` (local S3)."""
    served = {bucket.name for bucket in config.cdn_buckets}

    def serve(request: Request) -> Response:
        bucket, key = request.path_params["bucket"], request.path_params["key"]
        if bucket not in served or not key:
            return _error(403, "AccessDenied", "Access Denied")
        params: dict[str, Any] = {"Bucket": bucket, "Key": key}
        wanted = request.headers.get("range")
        if wanted and _RANGE.match(wanted):
            params["Range"] = wanted
        for header, param in (("if-none-match", "IfNoneMatch"), ("if-modified-since", "IfModifiedSince")):
            if request.headers.get(header):
                params[param] = request.headers[header]
        try:
            answer = s3.head_object(**params) if request.method == "HEAD" else s3.get_object(**params)
        except ClientError as exc:
            status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500))
            if status == 304:
                return Response(status_code=304)
            if status == 416:
                return _error(416, "InvalidRange", "The requested range is not satisfiable")
            return _error(403, "AccessDenied", "Access Denied")
        headers = {name: _header(answer[field]) for field, name in _PASSED_HEADERS.items() if field in answer}
        headers["accept-ranges"] = "bytes"
        status = 206 if "ContentRange" in answer else 200
        if request.method == "HEAD":
            return Response(status_code=status, headers=headers)
        body = answer["Body"]
        headers.pop("content-length", None)  # the streamed body sets it
        return StreamingResponse(_chunks(body), status_code=status, headers=headers)

    return [Route(CDN_PATH + "/{bucket}/{key:path}", serve, methods=["GET", "HEAD"])]


def _chunks(body: Any) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(_CHUNK)
    finally:
        body.close()


def _header(value: Any) -> str:
    if hasattr(value, "strftime"):
        return str(value.strftime("%a, %d %b %Y %H:%M:%S GMT"))
    return str(value)
