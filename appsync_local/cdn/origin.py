"""The origin of a local distribution: its private bucket on the local S3, read as origin access control
reads it (GetObject only: a missing object is 403 AccessDenied, since the distribution cannot list)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

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


@dataclass(frozen=True)
class OriginError(Exception):
    """S3 refused: the status and error code to pass on."""

    status: int
    code: str
    message: str


@dataclass
class OriginObject:
    """An object (or a range of it) as S3 answered: its headers and a body to stream or read whole."""

    status: int
    headers: dict[str, str]
    body: Any | None

    @property
    def length(self) -> int:
        return int(self.headers.get("content-length", "0"))

    def read(self) -> bytes:
        if self.body is None:
            return b""
        try:
            return bytes(self.body.read())
        finally:
            self.body.close()

    def discard(self) -> None:
        """Close the body unread."""
        if self.body is not None:
            self.body.close()

    def chunks(self) -> Iterator[bytes]:
        if self.body is None:
            return
        try:
            yield from self.body.iter_chunks(_CHUNK)
        finally:
            self.body.close()


@dataclass(frozen=True)
class BucketOrigin:
    """GetObject on one bucket of the local S3 (`s3` is a boto3 client)."""

    bucket: str
    s3: Any

    def get(
        self, key: str, *, byte_range: str | None = None, if_none_match: str | None = None, head: bool = False
    ) -> OriginObject:
        """The object (its headers only with `head`); status 304 when it still has the ETag `if_none_match`."""
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if byte_range:
            params["Range"] = byte_range
        if if_none_match:
            params["IfNoneMatch"] = if_none_match
        try:
            answer = self.s3.head_object(**params) if head else self.s3.get_object(**params)
        except ClientError as exc:
            status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500))
            if status == 304:
                return OriginObject(304, {}, None)
            if status == 416:
                raise OriginError(416, "InvalidRange", "The requested range is not satisfiable") from None
            raise OriginError(403, "AccessDenied", "Access Denied") from None
        headers = {name: _header(answer[field]) for field, name in _PASSED_HEADERS.items() if field in answer}
        return OriginObject(206 if "ContentRange" in answer else 200, headers, answer.get("Body"))


def _header(value: Any) -> str:
    if hasattr(value, "strftime"):
        return str(value.strftime("%a, %d %b %Y %H:%M:%S GMT"))
    return str(value)
