"""Opaque, tamper-proof `nextToken`s for Query and Scan, as AppSync hands out.

AppSync never shows DynamoDB's `LastEvaluatedKey`; it returns an opaque token and rejects one it did not
issue with `DynamoDB:UserIllegalArgumentException` ("Invalid pagination token given."). Tokens here are the
key encrypted with AES-256-GCM, the table and index they page through bound in as associated data: a client
can neither read the key (which may name an item a filter hid from it, such as a draft) nor edit it, and a
token for one query cannot start another on a different table or index.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from appsync_local.auth.storage import create_secret, write_secret

# Without a data folder, one secret per process: tokens stay valid across data sources and requests of one
# running server, and are useless after a restart.
PROCESS_SECRET = secrets.token_bytes(32)
TOKEN_VERSION = 2
KEY_FILE = "pagination.key"
_NONCE_BYTES = 12


class InvalidPaginationToken(ValueError):
    """The token was not issued here, was altered, or belongs to another table or index."""


class PaginationTokens:
    """Encrypts `LastEvaluatedKey` (typed JSON form) into a token and back.

    Parameters
    ----------
    secret
        The key material; defaults to one random secret per process.
    """

    def __init__(self, secret: bytes | None = None) -> None:
        material = secret if secret is not None else PROCESS_SECRET
        self._cipher = AESGCM(hashlib.sha256(b"appsync-local nextToken\x00" + material).digest())

    @classmethod
    def load_or_create(cls, data_dir: Path) -> PaginationTokens:
        """Tokens keyed by `<data_dir>/pagination.key` (made, owner-only, the first time): they outlive restarts."""
        path = Path(data_dir) / KEY_FILE
        if not path.exists():
            return cls(create_secret(path, secrets.token_bytes(32)))
        if len(path.read_bytes()) < 32:
            write_secret(path, secrets.token_bytes(32))
        return cls(path.read_bytes())

    def encode(self, last_evaluated_key: dict[str, Any], scope: str) -> str:
        """The token for the page after `last_evaluated_key` of the query named by `scope`."""
        nonce = secrets.token_bytes(_NONCE_BYTES)
        plain = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True).encode()
        sealed = self._cipher.encrypt(nonce, plain, scope.encode())
        raw = bytes([TOKEN_VERSION]) + nonce + sealed
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    def decode(self, token: Any, scope: str) -> dict[str, Any]:
        """The `LastEvaluatedKey` a token carries; raises `InvalidPaginationToken` unless it is genuine."""
        if not isinstance(token, str) or not token:
            raise InvalidPaginationToken("nextToken must be a non-empty string")
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError) as exc:
            raise InvalidPaginationToken("nextToken is not a token this API issued") from exc
        if len(raw) <= 1 + _NONCE_BYTES or raw[0] != TOKEN_VERSION:
            raise InvalidPaginationToken("nextToken is not a token this API issued")
        nonce, sealed = raw[1 : 1 + _NONCE_BYTES], raw[1 + _NONCE_BYTES :]
        try:
            plain = self._cipher.decrypt(nonce, sealed, scope.encode())
        except InvalidTag:
            # Altered, issued by another server, or bound to another table or index: GCM cannot tell which.
            raise InvalidPaginationToken(
                "nextToken was altered, was issued by another server or belongs to a different table or index"
            ) from None
        key = json.loads(plain)
        if not isinstance(key, dict):
            raise InvalidPaginationToken("nextToken is not a token this API issued")
        return key
