"""Opaque, tamper-evident `nextToken`s for Query and Scan, as AppSync hands out.

AppSync never shows DynamoDB's `LastEvaluatedKey`; it returns an opaque token and rejects one it did not
issue with `DynamoDB:UserIllegalArgumentException` ("Invalid pagination token given."). Tokens here are
base64url JSON signed with HMAC-SHA256 and bound to the table and index they page through, so a token for one
query cannot start another on a different table or index.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from typing import Any

# One secret per process: tokens stay valid across data sources and requests of one running server, and are
# useless after a restart (AppSync's tokens expire too).
PROCESS_SECRET = secrets.token_bytes(32)
TOKEN_VERSION = 1


class InvalidPaginationToken(ValueError):
    """The token was not issued here, was altered, or belongs to another table or index."""


class PaginationTokens:
    """Encodes `LastEvaluatedKey` (typed JSON form) into a signed token and back.

    Parameters
    ----------
    secret
        The HMAC key; defaults to one random key per process.
    """

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret if secret is not None else PROCESS_SECRET

    def encode(self, last_evaluated_key: dict[str, Any], scope: str) -> str:
        """The token for the page after `last_evaluated_key` of the query named by `scope`."""
        body = {"version": TOKEN_VERSION, "scope": scope, "key": last_evaluated_key}
        document = {**body, "signature": self._sign(body)}
        raw = json.dumps(document, separators=(",", ":"), sort_keys=True).encode()
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    def decode(self, token: Any, scope: str) -> dict[str, Any]:
        """The `LastEvaluatedKey` a token carries; raises `InvalidPaginationToken` unless it is genuine."""
        if not isinstance(token, str) or not token:
            raise InvalidPaginationToken("nextToken must be a non-empty string")
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            document = json.loads(raw)
        except (binascii.Error, ValueError) as exc:
            raise InvalidPaginationToken("nextToken is not a token this API issued") from exc
        if not isinstance(document, dict) or not isinstance(document.get("signature"), str):
            raise InvalidPaginationToken("nextToken is not a token this API issued")
        signature = document.pop("signature")
        if not hmac.compare_digest(signature, self._sign(document)):
            raise InvalidPaginationToken("nextToken was altered or was issued by another server")
        if document.get("version") != TOKEN_VERSION or not isinstance(document.get("key"), dict):
            raise InvalidPaginationToken("nextToken is not a token this API issued")
        if document.get("scope") != scope:
            raise InvalidPaginationToken("nextToken belongs to a different table or index")
        return document["key"]

    def _sign(self, body: dict[str, Any]) -> str:
        canonical = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
        return hmac.new(self._secret, canonical, hashlib.sha256).hexdigest()
