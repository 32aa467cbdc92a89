"""SigV4 in the Authorization header, checked as S3 checks it; the body is checked later, as it streams."""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from appsync_local.local_aws.s3_gate.errors import (
    S3Error,
    access_denied,
    header_malformed,
    invalid_argument,
    invalid_request,
    signature_mismatch,
)
from appsync_local.local_aws.s3_gate.keys import KeyRing
from appsync_local.local_aws.s3_gate.request import (
    AMZ_DATE_FORMAT,
    CredentialScope,
    GateRequest,
    parse_amz_date,
)
from appsync_local.local_aws.s3_gate.signed_headers import check_signed_headers
from appsync_local.sigv4_signature import ALGORITHM, SignatureComputer

MAX_SKEW_SECONDS = 15 * 60
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_SIGNED = ("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER")
STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
_ECDSA = ("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER")
_SHA256_RE = re.compile(r"^[0-9a-fA-F]{64}$")


@dataclass(frozen=True)
class HeaderAuthorization:
    """A request whose headers are correctly signed; its body is still to be checked against `payload`."""

    payload: str
    access_key_id: str
    amz_date: str
    signature: str
    computer: SignatureComputer


def verify_header_signature(
    request: GateRequest, keys: KeyRing, region: str, now: float
) -> HeaderAuthorization:
    """Check scope, time, key, the payload declaration and the signature of the request's headers."""
    authorization = request.headers["authorization"]
    if not authorization.startswith(ALGORITHM + " "):
        if authorization.startswith("AWS "):
            raise invalid_request(
                "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."
            )
        raise invalid_argument("Unsupported Authorization Type", ArgumentName="Authorization")
    params = _components(authorization[len(ALGORITHM) :])
    scope = _scope(params["Credential"], region)
    amz_date = _request_date(request)
    if scope.date != amz_date[:8]:
        raise header_malformed(
            f'Invalid credential date "{scope.date}". This date is not the same as X-Amz-Date: "{amz_date[:8]}".'
        )
    _check_skew(amz_date, now)
    key = keys.find(scope.access_key_id, request.headers.get("x-amz-security-token"))
    payload = _declared_payload(request)
    signed_headers = check_signed_headers(request, params["SignedHeaders"])
    computer = SignatureComputer(key.access_key_id, key.secret_access_key, key.session_token, "s3", region)
    computed = computer.compute(request.received(signed_headers, amz_date, payload))
    provided = params["Signature"]
    if not hmac.compare_digest(computed.signature, provided.lower()):
        raise signature_mismatch(
            key.access_key_id, computed.string_to_sign, provided, computed.canonical_request
        )
    return HeaderAuthorization(payload, key.access_key_id, amz_date, computed.signature, computer)


def _components(rest: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for part in rest.split(","):
        name, sep, value = part.strip().partition("=")
        if sep:
            params[name.strip()] = value.strip()
    for name in ("Credential", "SignedHeaders", "Signature"):
        if not params.get(name):
            raise header_malformed(f'the authorization header requires a "{name}" component.')
    return params


def _scope(credential: str, region: str) -> CredentialScope:
    scope = CredentialScope.parse(credential)
    if scope is None:
        raise header_malformed(
            'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'
        )
    if scope.region != region:
        raise header_malformed(f"the region '{scope.region}' is wrong; expecting '{region}'", Region=region)
    if scope.service != "s3":
        raise header_malformed(f'incorrect service "{scope.service}". This endpoint belongs to "s3".')
    if scope.terminator != "aws4_request":
        raise header_malformed(f'incorrect terminal "{scope.terminator}". This endpoint uses "aws4_request".')
    return scope


def _request_date(request: GateRequest) -> str:
    amz_date = request.headers.get("x-amz-date")
    if amz_date is not None:
        if parse_amz_date(amz_date) is None:
            raise access_denied("AWS authentication requires a valid Date or x-amz-date header")
        return amz_date
    try:
        return parsedate_to_datetime(request.headers["date"]).strftime(AMZ_DATE_FORMAT)
    except (KeyError, TypeError, ValueError):
        raise access_denied("AWS authentication requires a valid Date or x-amz-date header") from None


def _check_skew(amz_date: str, now: float) -> None:
    signed_at = parse_amz_date(amz_date)
    assert signed_at is not None
    if abs(signed_at - now) > MAX_SKEW_SECONDS:
        raise S3Error(
            403,
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.",
            RequestTime=amz_date,
            MaxAllowedSkewMilliseconds=str(MAX_SKEW_SECONDS * 1000),
        )


def _declared_payload(request: GateRequest) -> str:
    payload = request.headers.get("x-amz-content-sha256")
    if payload is None:
        raise invalid_request("Missing required header for this request: x-amz-content-sha256")
    if payload in _ECDSA:
        raise invalid_request("SigV4a (ECDSA) signatures are not supported by the local S3.")
    if payload in (UNSIGNED_PAYLOAD, STREAMING_UNSIGNED_TRAILER, *STREAMING_SIGNED) or _SHA256_RE.match(
        payload
    ):
        return payload
    raise invalid_argument(
        "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "
        "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER "
        "or a valid sha256 value.",
        ArgumentName="x-amz-content-sha256",
        ArgumentValue=payload,
    )
