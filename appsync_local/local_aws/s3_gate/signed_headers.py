"""The SignedHeaders list: it must name the host, and every x-amz-* header sent must be in it (S3 refuses unsigned x-amz-* headers, in headers and presigned URLs alike)."""

from __future__ import annotations

from appsync_local.local_aws.s3_gate.errors import access_denied
from appsync_local.local_aws.s3_gate.request import GateRequest

# Sent by clients beside a presigned URL or a signed request without being signed, and accepted by S3.
_UNSIGNED_ALLOWED = ("x-amz-content-sha256",)


def check_signed_headers(request: GateRequest, signed_headers: str, *, presigned: bool = False) -> list[str]:
    """The signed header names, once the request's headers agree with them."""
    names = [name.strip().lower() for name in signed_headers.split(";") if name.strip()]
    if "host" not in names:
        raise access_denied(
            "There were headers present in the request which were not signed", HeadersNotSigned="host"
        )
    unsigned = sorted(
        name
        for name in request.headers
        if name.startswith("x-amz-") and name not in names and not (presigned and name in _UNSIGNED_ALLOWED)
    )
    if unsigned:
        raise access_denied(
            "There were headers present in the request which were not signed",
            HeadersNotSigned=", ".join(unsigned),
        )
    return names
