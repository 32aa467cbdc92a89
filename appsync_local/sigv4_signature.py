"""SigV4 recomputed for a request received: botocore's own canonical request, string to sign and signature.

A verifier must sign exactly what the client signed: the headers it listed (not the ones botocore would pick),
the payload hash it declared, the query it sent. AppSync's IAM mode (`appsync_local.auth.sigv4`) and the local
S3 (`appsync_local.local_aws.s3_gate`) both verify through `SignatureComputer`, so neither carries its own copy
of SigV4's canonical forms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

ALGORITHM = "AWS4-HMAC-SHA256"


@dataclass(frozen=True)
class ReceivedRequest:
    """What a client signed, as the server received it.

    Parameters
    ----------
    method, url
        The method, and ``scheme://host/path`` with the path URI-encoded as SigV4 signs it.
    signed_headers
        Exactly the headers named in ``SignedHeaders``, names lower-cased, values as received.
    amz_date
        The request's time, ``YYYYMMDDTHHMMSSZ``.
    payload_hash
        The payload hash the client declared (a hex SHA-256, ``UNSIGNED-PAYLOAD``, ``STREAMING-…``);
        None to hash `body`.
    body
        The payload, when `payload_hash` is None.
    query
        The decoded query parameters to sign (S3); empty to sign the query in `url` as it is.
    """

    method: str
    url: str
    signed_headers: Mapping[str, str]
    amz_date: str
    payload_hash: str | None = None
    body: bytes = b""
    query: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True)
class ComputedSignature:
    """The canonical request and string to sign behind a signature (S3 returns both when one mismatches)."""

    canonical_request: str
    string_to_sign: str
    signature: str


class _AsReceived:
    """Sign the client's own header list, and its declared payload hash when it gave one."""

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        chosen = HTTPHeaders()
        for name, value in request.headers.items():
            chosen[name.lower()] = value
        return chosen

    def payload(self, request: AWSRequest) -> str:
        declared = request.context.get("payload_hash")
        if declared is not None:
            return str(declared)
        return str(super().payload(request))  # type: ignore[misc]


class _ReceivedSigV4(_AsReceived, SigV4Auth):
    """Services other than S3: the path is normalized before it is encoded."""


class _ReceivedS3SigV4(_AsReceived, S3SigV4Auth):
    """S3: the path is signed as it is (no normalization, no double encoding)."""


class SignatureComputer:
    """SigV4 for one access key, service and region.

    Parameters
    ----------
    access_key_id, secret_access_key, session_token
        The credentials the client claims to have signed with.
    service, region
        The credential scope's service and region.
    """

    def __init__(
        self,
        access_key_id: str,
        secret_access_key: str,
        session_token: str | None,
        service: str,
        region: str,
    ) -> None:
        credentials = Credentials(access_key_id, secret_access_key, session_token)
        signer_class = _ReceivedS3SigV4 if service == "s3" else _ReceivedSigV4
        self._signer: Any = signer_class(credentials, service, region)
        self.service = service
        self.region = region

    def compute(self, received: ReceivedRequest) -> ComputedSignature:
        """The signature a correct client would have sent for `received`."""
        request = AWSRequest(
            method=received.method.upper(),
            url=received.url,
            headers=dict(received.signed_headers),
            data=received.body,
            params=list(received.query) or None,
        )
        request.context["timestamp"] = received.amz_date
        if received.payload_hash is not None:
            request.context["payload_hash"] = received.payload_hash
        canonical_request = self._signer.canonical_request(request)
        string_to_sign = self._signer.string_to_sign(request, canonical_request)
        return ComputedSignature(
            canonical_request, string_to_sign, str(self._signer.signature(string_to_sign, request))
        )

    def sign(self, string_to_sign: str, amz_date: str) -> str:
        """HMAC `string_to_sign` with the signing key of `amz_date`'s day (chunk signatures, POST policies)."""
        request = AWSRequest()
        request.context["timestamp"] = amz_date
        return str(self._signer.signature(string_to_sign, request))

    def credential_scope(self, amz_date: str) -> str:
        """``YYYYMMDD/region/service/aws4_request`` for `amz_date`."""
        return f"{amz_date[:8]}/{self.region}/{self.service}/aws4_request"
