"""The gate in front of moto's S3: every request is authenticated as S3 authenticates it before moto sees it."""

from __future__ import annotations

import io
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from typing import IO, Any
from urllib.parse import quote
from xml.sax.saxutils import escape

from werkzeug.wsgi import get_input_stream

from appsync_local.local_aws.s3_gate.errors import S3Error, access_denied, invalid_argument
from appsync_local.local_aws.s3_gate.header_auth import (
    STREAMING_SIGNED,
    STREAMING_UNSIGNED_TRAILER,
    UNSIGNED_PAYLOAD,
    HeaderAuthorization,
    verify_header_signature,
)
from appsync_local.local_aws.s3_gate.keys import KeyRing
from appsync_local.local_aws.s3_gate.payload import ChunkSigner, spool_aws_chunked, spool_with_sha256
from appsync_local.local_aws.s3_gate.post_policy import PostUpload, is_post_upload, spool_post_upload
from appsync_local.local_aws.s3_gate.presigned import is_presigned, verify_presigned
from appsync_local.local_aws.s3_gate.request import GateRequest

logger = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
_DRAIN_SIZE = 256 * 1024


class S3Gate:
    """WSGI middleware that lets through only what S3 would accept, and answers the rest with S3's errors.

    Accepted: requests signed with SigV4 in the Authorization header (the body checked against the declared
    SHA-256, or its aws-chunked signatures and checksums), presigned URLs (SigV4 query), and POST uploads
    whose signed policy allows them. CORS preflights pass (S3 answers them unsigned). Everything else is
    anonymous, and every bucket is private: AccessDenied. Refusals carry the bucket's CORS headers, so a
    browser can read them.

    Parameters
    ----------
    app
        moto's S3 application.
    keys
        The access keys the local S3 knows.
    region
        The region every credential scope must name.
    clock
        Seconds since the epoch (tests move it).
    """

    def __init__(
        self, app: WsgiApp, keys: KeyRing, region: str, clock: Callable[[], float] = time.time
    ) -> None:
        self.app = app
        self.keys = keys
        self.region = region
        self.clock = clock

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = GateRequest.from_environ(environ)
        if request.method == "OPTIONS":
            return self.app(_bucket_preflight(environ, request), start_response)
        stream = get_input_stream(environ)
        try:
            body = self._authenticate(request, stream)
        except S3Error as error:
            return self._refuse(error, request, environ, stream, start_response)
        if isinstance(body, PostUpload):
            environ["wsgi.input"] = body.body
            environ["CONTENT_LENGTH"] = str(_size(body.body))
            if body.status == "201":
                return self._created(body, environ, start_response)
        elif body is not None:
            environ["wsgi.input"] = body
            environ["CONTENT_LENGTH"] = str(_size(body))
        return self.app(environ, start_response)

    def _created(
        self, upload: PostUpload, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """A POST upload asking for 201: S3 answers with an XML document naming the object (moto with nothing)."""
        answered: list[tuple[str, list[tuple[str, str]]]] = []

        def capture(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], None]:
            answered.append((status, headers))
            return lambda data: None

        response = self.app(environ, capture)
        body = b"".join(response)
        close = getattr(response, "close", None)
        if close is not None:
            close()
        status, headers = answered[0]
        if not status.startswith("201"):
            start_response(status, headers)
            return [body]
        host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
        location = f"{environ.get('wsgi.url_scheme', 'http')}://{host}/{upload.bucket}/{quote(upload.key)}"
        document = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>'
            f"<Location>{escape(location)}</Location><Bucket>{escape(upload.bucket)}</Bucket>"
            f"<Key>{escape(upload.key)}</Key><ETag>{escape(upload.etag)}</ETag></PostResponse>"
        ).encode()
        kept = [(k, v) for k, v in headers if k.lower() not in ("content-type", "content-length")]
        start_response(
            status,
            [
                *kept,
                ("Content-Type", "application/xml"),
                ("Content-Length", str(len(document))),
                ("ETag", upload.etag),
                ("Location", location),
            ],
        )
        return [document]

    def _authenticate(self, request: GateRequest, stream: IO[bytes]) -> IO[bytes] | PostUpload | None:
        """Check the request; return its body when it had to be read to be checked (None: stream it on)."""
        now = self.clock()
        signed_in_header = "authorization" in request.headers
        if signed_in_header and is_presigned(request):
            raise invalid_argument(
                "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query "
                "string parameter or the Authorization header should be specified",
                ArgumentName="Authorization",
            )
        if signed_in_header:
            authorization = verify_header_signature(request, self.keys, self.region, now)
            return self._checked_body(request, authorization, stream)
        if is_presigned(request):
            verify_presigned(request, self.keys, self.region, now)
            return None
        if is_post_upload(request):
            return spool_post_upload(request, stream, self.keys, self.region, now)
        raise access_denied()

    @staticmethod
    def _checked_body(request: GateRequest, auth: HeaderAuthorization, stream: IO[bytes]) -> IO[bytes] | None:
        if auth.payload == UNSIGNED_PAYLOAD:
            return None
        decoded = request.headers.get("x-amz-decoded-content-length")
        decoded_length = int(decoded) if decoded and decoded.isascii() and decoded.isdigit() else None
        if auth.payload in STREAMING_SIGNED:
            signer = ChunkSigner(
                auth.access_key_id,
                auth.amz_date,
                auth.computer.credential_scope(auth.amz_date),
                auth.signature,
                lambda text: auth.computer.sign(text, auth.amz_date),
            )
            return spool_aws_chunked(stream, signer, decoded_length)
        if auth.payload == STREAMING_UNSIGNED_TRAILER:
            return spool_aws_chunked(stream, None, decoded_length)
        return spool_with_sha256(stream, auth.payload)

    def _refuse(
        self,
        error: S3Error,
        request: GateRequest,
        environ: dict[str, Any],
        stream: IO[bytes],
        start_response: Callable[..., Any],
    ) -> Iterable[bytes]:
        # The client sends its whole body before it reads an answer: read the rest, so it sees the refusal.
        for _ in iter(lambda: stream.read(_DRAIN_SIZE), b""):
            pass
        request_id = uuid.uuid4().hex[:16].upper()
        body = b"" if request.method == "HEAD" else error.xml(request_id)
        headers = [
            ("Content-Type", "application/xml"),
            ("Content-Length", str(len(body))),
            ("x-amz-request-id", request_id),
            *self._cors_headers(request, environ),
        ]
        logger.info("local S3 refused %s %s: %s", request.method, request.path.decode("latin-1"), error)
        start_response(f"{error.status} {_REASONS.get(error.status, 'Error')}", headers)
        return [body]

    def _cors_headers(self, request: GateRequest, environ: dict[str, Any]) -> list[tuple[str, str]]:
        """The Access-Control-* headers the bucket's CORS rules give this origin (asked of moto, as a preflight)."""
        origin = request.headers.get("origin")
        if not origin or not request.bucket:
            return []
        asked = {
            **{k: v for k, v in environ.items() if not k.startswith(("HTTP_", "wsgi.input"))},
            "REQUEST_METHOD": "OPTIONS",
            "QUERY_STRING": "",
            "CONTENT_LENGTH": "0",
            "HTTP_HOST": request.headers.get("host", ""),
            "HTTP_ORIGIN": origin,
            "HTTP_ACCESS_CONTROL_REQUEST_METHOD": request.method,
            "wsgi.input": io.BytesIO(),
        }
        preflight = _bucket_preflight(asked, request)
        found: list[tuple[str, str]] = []

        def capture(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], None]:
            found.extend((k, v) for k, v in headers if k.lower().startswith("access-control-"))
            return lambda data: None

        response = self.app(preflight, capture)
        for _ in response:
            pass
        close = getattr(response, "close", None)
        if close is not None:
            close()
        return [(k, v) for k, v in found if k.lower() != "access-control-allow-headers"]


def _bucket_preflight(environ: dict[str, Any], request: GateRequest) -> dict[str, Any]:
    """A CORS preflight asked of the bucket: S3 answers it from the bucket's CORS rules whatever the key,
    where moto refuses one for an existing private object (its object ACL check runs first)."""
    if not request.bucket:
        return environ
    return {**environ, "PATH_INFO": "/" + request.bucket, "QUERY_STRING": ""}


_REASONS = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 411: "Length Required"}


def _size(body: IO[bytes]) -> int:
    position = body.tell()
    body.seek(0, io.SEEK_END)
    size = body.tell()
    body.seek(position)
    return size
