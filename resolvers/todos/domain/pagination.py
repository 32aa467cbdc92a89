"""Opaque, caller-bound page tokens for newest-first todo listings.

A token is base64url (no padding) of the JSON of the listing's last evaluated key. It names its owner, and a
token whose owner is not the caller is refused, so one user can never page through another's partition.
"""

from __future__ import annotations

import base64
import binascii
import json

from resolvers.todos.domain.errors import ValidationError
from resolvers.todos.domain.models import TodoCursor

_MAX_TOKEN_LENGTH = 2048
_KEYS = frozenset({"ownerId", "createdAt", "id"})


def encode_next_token(owner_id: str, cursor: TodoCursor) -> str:
    """The token that resumes ``owner_id``'s listing after ``cursor``."""
    key = {"ownerId": owner_id, "createdAt": cursor.created_at, "id": cursor.id}
    raw = json.dumps(key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_next_token(token: str, owner_id: str) -> TodoCursor:
    """The cursor inside ``token``; ``ValidationError('Invalid nextToken')`` unless it is ``owner_id``'s."""
    invalid = ValidationError("Invalid nextToken")
    if not isinstance(token, str) or not token or len(token) > _MAX_TOKEN_LENGTH:
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError):
        raise invalid from None
    if (
        not isinstance(key, dict)
        or set(key) != _KEYS
        or not all(isinstance(v, str) and v for v in key.values())
    ):
        raise invalid
    if key["ownerId"] != owner_id:
        raise invalid
    return TodoCursor(created_at=key["createdAt"], id=key["id"])
