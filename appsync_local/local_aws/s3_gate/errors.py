"""S3's refusals: the codes, messages and statuses S3 answers with, as its XML error document."""

from __future__ import annotations

import uuid
from xml.sax.saxutils import escape


class S3Error(Exception):
    """A refusal as S3 words it.

    Parameters
    ----------
    status
        The HTTP status S3 answers with.
    code, message
        S3's ``<Code>`` and ``<Message>``.
    details
        Further elements S3 adds for this code (``AWSAccessKeyId``, ``ProposedSize``, ``ServerTime``, …).
    """

    def __init__(self, status: int, code: str, message: str, **details: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details

    def xml(self, request_id: str) -> bytes:
        """The error document S3 sends."""
        elements = [("Code", self.code), ("Message", self.message), *self.details.items()]
        elements += [("RequestId", request_id), ("HostId", uuid.uuid4().hex)]
        inner = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in elements)
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{inner}</Error>'.encode()


SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your key and signing method."
)


def access_denied(message: str = "Access Denied", **details: str) -> S3Error:
    return S3Error(403, "AccessDenied", message, **details)


def invalid_access_key(access_key_id: str) -> S3Error:
    return S3Error(
        403,
        "InvalidAccessKeyId",
        "The AWS Access Key Id you provided does not exist in our records.",
        AWSAccessKeyId=access_key_id,
    )


def invalid_token() -> S3Error:
    return S3Error(400, "InvalidToken", "The provided token is malformed or otherwise invalid.")


def signature_mismatch(
    access_key_id: str, string_to_sign: str, provided: str, canonical_request: str
) -> S3Error:
    return S3Error(
        403,
        "SignatureDoesNotMatch",
        SIGNATURE_MISMATCH,
        AWSAccessKeyId=access_key_id,
        StringToSign=string_to_sign,
        SignatureProvided=provided,
        StringToSignBytes=_hex_bytes(string_to_sign),
        CanonicalRequest=canonical_request,
        CanonicalRequestBytes=_hex_bytes(canonical_request),
    )


def query_parameters_error(message: str, **details: str) -> S3Error:
    return S3Error(400, "AuthorizationQueryParametersError", message, **details)


def header_malformed(message: str, **details: str) -> S3Error:
    return S3Error(
        400, "AuthorizationHeaderMalformed", f"The authorization header is malformed; {message}", **details
    )


def invalid_argument(message: str, **details: str) -> S3Error:
    return S3Error(400, "InvalidArgument", message, **details)


def invalid_request(message: str) -> S3Error:
    return S3Error(400, "InvalidRequest", message)


def policy_refusal(reason: str) -> S3Error:
    """A POST whose form the policy does not allow."""
    return access_denied(f"Invalid according to Policy: {reason}")


def _hex_bytes(text: str) -> str:
    return " ".join(f"{byte:02x}" for byte in text.encode())
