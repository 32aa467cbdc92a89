"""Presigned URLs (SigV4 in the query string), checked as S3 checks them: parameters, scope, expiry, key,
signed headers and signature. The payload of a presigned request is not signed (UNSIGNED-PAYLOAD)."""

from __future__ import annotations

import hmac

from appsync_local.local_aws.s3_gate.errors import (
    access_denied,
    invalid_request,
    query_parameters_error,
    signature_mismatch,
)
from appsync_local.local_aws.s3_gate.keys import KeyRing
from appsync_local.local_aws.s3_gate.request import CredentialScope, GateRequest, iso_time, parse_amz_date
from appsync_local.local_aws.s3_gate.signed_headers import check_signed_headers
from appsync_local.sigv4_signature import ALGORITHM, SignatureComputer

MAX_EXPIRES_SECONDS = 7 * 24 * 3600
NOT_YET_VALID_SLACK_SECONDS = 15 * 60
REQUIRED = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
    "X-Amz-Expires",
)
V4_MARKERS = ("x-amz-algorithm", "x-amz-credential", "x-amz-signature", "x-amz-date", "x-amz-signedheaders")


def is_presigned(request: GateRequest) -> bool:
    """Whether the query carries SigV4 (any of its parameters) or SigV2 (``Signature``) authentication."""
    names = {name.lower() for name, _ in request.query}
    return bool(names & set(V4_MARKERS)) or "signature" in names


def verify_presigned(request: GateRequest, keys: KeyRing, region: str, now: float) -> None:
    """Refuse, as S3 does, a presigned request that is malformed, expired or not signed by a known key."""
    if request.param("X-Amz-Algorithm") is None and request.param("Signature") is not None:
        raise invalid_request(
            "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."
        )
    values = {name: request.param(name) for name in REQUIRED}
    if any(value is None for value in values.values()):
        raise query_parameters_error(
            "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
            "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
        )
    params = {name: str(value) for name, value in values.items()}
    if params["X-Amz-Algorithm"] != ALGORITHM:
        raise query_parameters_error('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"')
    scope = _scope(params["X-Amz-Credential"], region)
    amz_date = params["X-Amz-Date"]
    signed_at = parse_amz_date(amz_date)
    if signed_at is None:
        raise query_parameters_error("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
    if scope.date != amz_date[:8]:
        raise query_parameters_error("Invalid credential date. Date is not the same as X-Amz-Date.")
    expires = _expires(params["X-Amz-Expires"])
    if now > signed_at + expires:
        raise access_denied(
            "Request has expired",
            **{
                "X-Amz-Expires": str(expires),
                "Expires": iso_time(signed_at + expires),
                "ServerTime": iso_time(now),
            },
        )
    if signed_at > now + NOT_YET_VALID_SLACK_SECONDS:
        raise access_denied("Request is not valid yet")
    key = keys.find(scope.access_key_id, request.param("X-Amz-Security-Token"))
    signed_headers = check_signed_headers(request, params["X-Amz-SignedHeaders"], presigned=True)
    computer = SignatureComputer(key.access_key_id, key.secret_access_key, key.session_token, "s3", region)
    received = request.received(signed_headers, amz_date, "UNSIGNED-PAYLOAD", drop_query="X-Amz-Signature")
    computed = computer.compute(received)
    provided = params["X-Amz-Signature"]
    if not hmac.compare_digest(computed.signature, provided.lower()):
        raise signature_mismatch(
            key.access_key_id, computed.string_to_sign, provided, computed.canonical_request
        )


def _scope(credential: str, region: str) -> CredentialScope:
    scope = CredentialScope.parse(credential)
    prefix = "Error parsing the X-Amz-Credential parameter; "
    if scope is None:
        raise query_parameters_error(
            prefix
            + 'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'
        )
    if scope.region != region:
        raise query_parameters_error(
            prefix + f"the region '{scope.region}' is wrong; expecting '{region}'", Region=region
        )
    if scope.service != "s3":
        raise query_parameters_error(
            prefix + f'incorrect service "{scope.service}". This endpoint belongs to "s3".'
        )
    if scope.terminator != "aws4_request":
        raise query_parameters_error(
            prefix + f'incorrect terminal "{scope.terminator}". This endpoint uses "aws4_request".'
        )
    return scope


def _expires(value: str) -> int:
    try:
        expires = int(value)
    except ValueError:
        raise query_parameters_error("X-Amz-Expires should be a number") from None
    if expires < 0:
        raise query_parameters_error("X-Amz-Expires must be non-negative")
    if expires > MAX_EXPIRES_SECONDS:
        raise query_parameters_error("X-Amz-Expires must be less than a week (in seconds) that is 604800")
    return expires
