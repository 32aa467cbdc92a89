"""Checking a request against CloudFront's signed URL (and signed cookie) rules.

A canned policy (`Expires`) is rebuilt from the request's own URL, so the signature covers that exact URL;
a custom policy (`Policy`) is the signed document itself, and its conditions are then checked: `DateLessThan`
(required), `DateGreaterThan`, `IpAddress` and the `Resource` pattern (`*` any characters, `?` one). The
signature is RSA with SHA-1 (or SHA-256 when `Hash-Algorithm=SHA256`) over the policy, in CloudFront's
URL-safe base64 (`+=/` written `-_~`). Refusals carry CloudFront's own codes and messages.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

SIGNED_PARAMETERS = ("Expires", "Policy", "Signature", "Key-Pair-Id", "Hash-Algorithm")
COOKIE_PREFIX = "CloudFront-"
_HASHES: dict[str, hashes.HashAlgorithm] = {"SHA1": hashes.SHA1(), "SHA256": hashes.SHA256()}
_FROM_CLOUDFRONT = str.maketrans("-_~", "+=/")


@dataclass(frozen=True)
class Refusal:
    """Why CloudFront answers 403: its error code and message."""

    code: str
    message: str


MISSING_KEY = Refusal("MissingKey", "Missing Key-Pair-Id query parameter or cookie value")
UNKNOWN_KEY = Refusal("InvalidKey", "Unknown Key")
ACCESS_DENIED = Refusal("AccessDenied", "Access denied")
MALFORMED_POLICY = Refusal("MalformedPolicy", "Malformed Policy")


@dataclass(frozen=True)
class SignedRequest:
    """What a request to a signed distribution carries.

    Parameters
    ----------
    url
        The URL as requested, scheme and host included, without CloudFront's own query parameters.
    values
        `Expires`, `Policy`, `Signature`, `Key-Pair-Id`, `Hash-Algorithm`: from the query string, or else
        from the `CloudFront-*` cookies.
    client_ip
        The viewer's address.
    """

    url: str
    values: Mapping[str, str]
    client_ip: str


def signed_request(
    scheme: str, host: str, raw_path: str, raw_query: str, cookies: Mapping[str, str], client_ip: str
) -> SignedRequest:
    """Split a request's URL into the resource CloudFront compares and the signing values it carries."""
    kept: list[str] = []
    values: dict[str, str] = {}
    for part in raw_query.split("&") if raw_query else []:
        name = part.split("=", 1)[0]
        if name in SIGNED_PARAMETERS:
            values.setdefault(name, dict(parse_qsl(part, keep_blank_values=True)).get(name, ""))
        else:
            kept.append(part)
    if not values:
        values = {
            name: cookies[COOKIE_PREFIX + name]
            for name in SIGNED_PARAMETERS
            if COOKIE_PREFIX + name in cookies
        }
    url = f"{scheme}://{host}{raw_path}" + (f"?{'&'.join(kept)}" if kept else "")
    return SignedRequest(url, values, client_ip)


def check(request: SignedRequest, trusted: Mapping[str, rsa.RSAPublicKey], now: float) -> Refusal | None:
    """None when CloudFront would serve `request` at `now` with the `trusted` keys (Key-Pair-Id -> key)."""
    values = request.values
    key_id = values.get("Key-Pair-Id")
    if not key_id:
        return MISSING_KEY
    public_key = trusted.get(key_id)
    if public_key is None:
        return UNKNOWN_KEY
    if "Policy" in values:
        try:
            document = _cloudfront_b64decode(values["Policy"])
            statement = _statement(json.loads(document))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return MALFORMED_POLICY
    elif "Expires" in values:
        if not (values["Expires"].isascii() and values["Expires"].isdigit()):  # "²" is a digit to isdigit
            return MALFORMED_POLICY
        expires = int(values["Expires"])
        statement = {"Resource": request.url, "Condition": {"DateLessThan": {"AWS:EpochTime": expires}}}
        document = json.dumps({"Statement": [statement]}, separators=(",", ":")).encode()
    else:
        return ACCESS_DENIED
    algorithm = _HASHES.get(values.get("Hash-Algorithm", "SHA1"))
    if algorithm is None or not _verifies(public_key, values.get("Signature", ""), document, algorithm):
        return ACCESS_DENIED
    if not _conditions_hold(statement, request, now):
        return ACCESS_DENIED
    return None


def _cloudfront_b64decode(value: str) -> bytes:
    return base64.b64decode(value.translate(_FROM_CLOUDFRONT), validate=True)


def _verifies(
    key: rsa.RSAPublicKey, signature: str, document: bytes, algorithm: hashes.HashAlgorithm
) -> bool:
    try:
        key.verify(_cloudfront_b64decode(signature), document, padding.PKCS1v15(), algorithm)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def _statement(policy: Any) -> dict[str, Any]:
    """The one statement of a custom policy, its shape checked (ValueError when CloudFront would refuse it)."""
    if not isinstance(policy, dict) or not isinstance(policy.get("Statement"), list):
        raise ValueError("no Statement list")
    if len(policy["Statement"]) != 1 or not isinstance(policy["Statement"][0], dict):
        raise ValueError("a custom policy has exactly one statement")
    statement: dict[str, Any] = policy["Statement"][0]
    condition = statement.get("Condition")
    if not isinstance(condition, dict) or not _epoch(condition.get("DateLessThan")):
        raise ValueError("DateLessThan is required")
    if "DateGreaterThan" in condition and not _epoch(condition["DateGreaterThan"]):
        raise ValueError("DateGreaterThan needs AWS:EpochTime")
    if "IpAddress" in condition:
        source = (
            condition["IpAddress"].get("AWS:SourceIp") if isinstance(condition["IpAddress"], dict) else None
        )
        if not isinstance(source, str):
            raise ValueError("IpAddress needs AWS:SourceIp")
        ipaddress.ip_network(source, strict=False)
    if "Resource" in statement and not isinstance(statement["Resource"], str):
        raise ValueError("Resource is a string")
    return statement


def _epoch(condition: Any) -> bool:
    return isinstance(condition, dict) and type(condition.get("AWS:EpochTime")) is int


def _conditions_hold(statement: Mapping[str, Any], request: SignedRequest, now: float) -> bool:
    condition = statement["Condition"]
    if now >= condition["DateLessThan"]["AWS:EpochTime"]:
        return False
    if "DateGreaterThan" in condition and now <= condition["DateGreaterThan"]["AWS:EpochTime"]:
        return False
    if "IpAddress" in condition:
        network = ipaddress.ip_network(condition["IpAddress"]["AWS:SourceIp"], strict=False)
        try:
            if ipaddress.ip_address(request.client_ip) not in network:
                return False
        except ValueError:
            return False
    resource = statement.get("Resource")
    return resource is None or resource_matches(resource, request.url)


def resource_matches(pattern: str, url: str) -> bool:
    """A policy's Resource against a URL: `*` matches any characters (none too), `?` exactly one."""
    expression = "".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern)
    return re.fullmatch(expression, url, re.DOTALL) is not None
