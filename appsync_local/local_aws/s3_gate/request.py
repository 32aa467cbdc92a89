"""An S3 request as the gate reads it from the WSGI environ, and SigV4's shared checks on it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote

from appsync_local.sigv4_signature import ReceivedRequest

AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
_AMZ_DATE_RE = re.compile(r"^\d{8}T\d{6}Z$")


@dataclass(frozen=True)
class GateRequest:
    """Method, path, query and headers of one request (header names lower-cased)."""

    method: str
    path: bytes
    query: list[tuple[str, str]]
    headers: dict[str, str]

    @classmethod
    def from_environ(cls, environ: dict[str, Any]) -> GateRequest:
        headers = {
            name[5:].replace("_", "-").lower(): str(value)
            for name, value in environ.items()
            if name.startswith("HTTP_")
        }
        for name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(name):
                headers[name.replace("_", "-").lower()] = str(environ[name])
        # WSGI hands the path percent-decoded, as latin-1 text of its bytes.
        path = str(environ.get("PATH_INFO", "")).encode("latin-1")
        query = parse_qsl(str(environ.get("QUERY_STRING", "")), keep_blank_values=True)
        return cls(str(environ.get("REQUEST_METHOD", "GET")).upper(), path, query, headers)

    @property
    def bucket(self) -> str:
        """The bucket a path-style request names ('' for the service itself)."""
        return self.path.lstrip(b"/").split(b"/", 1)[0].decode("utf-8", "replace")

    def param(self, name: str) -> str | None:
        """A query parameter, its name matched without regard to case (S3 accepts x-amz-date as X-Amz-Date)."""
        wanted = name.lower()
        for key, value in self.query:
            if key.lower() == wanted:
                return value
        return None

    def url(self) -> str:
        """``http://host/path`` with the path URI-encoded as SigV4 signs it for S3."""
        return f"http://{self.headers.get('host', '')}{quote(self.path, safe='/~')}"

    def received(
        self, signed_headers: list[str], amz_date: str, payload_hash: str, *, drop_query: str = ""
    ) -> ReceivedRequest:
        """The request as its signer saw it: the listed headers, the declared payload, the query (less one
        parameter: a presigned URL's signature is not part of what it signs)."""
        query = [(k, v) for k, v in self.query if k.lower() != drop_query.lower()]
        signed = {name: self.headers.get(name, "") for name in signed_headers}
        return ReceivedRequest(
            self.method, self.url(), signed, amz_date, payload_hash=payload_hash, query=query
        )


@dataclass(frozen=True)
class CredentialScope:
    """``<access key>/<date>/<region>/<service>/aws4_request``, parsed."""

    access_key_id: str
    date: str
    region: str
    service: str
    terminator: str

    @classmethod
    def parse(cls, credential: str) -> CredentialScope | None:
        parts = credential.split("/")
        if len(parts) != 5 or not all(parts):
            return None
        return cls(*parts)


def parse_amz_date(value: str) -> float | None:
    """Epoch seconds of a ``YYYYMMDDTHHMMSSZ`` time, or None when it is not one."""
    if not _AMZ_DATE_RE.match(value):
        return None
    try:
        return datetime.strptime(value, AMZ_DATE_FORMAT).replace(tzinfo=UTC).timestamp()
    except ValueError:
        return None


def iso_time(epoch: float) -> str:
    """``2024-01-02T03:04:05Z``, as S3 writes times in its errors."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
