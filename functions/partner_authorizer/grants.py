"""What a partner token grants, and the decision for one token: domain code, no AppSync event, no boto3.

A token is `ptk_` and 43 URL-safe characters (32 random bytes); only its SHA-256 is stored, so the table
never holds a usable credential. A grant names its partner, the event sources it may send as, its scopes
(`ingest`: `ingestEvents`; `results`: the live `onIngestionResult`), whether it is ACTIVE or REVOKED, and
optionally when it expires.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Protocol

TOKEN_PREFIX = "ptk_"
# The API's identity_validation_expression (appsync.toml) is this same shape: others never reach the function.
TOKEN_PATTERN = r"ptk_[A-Za-z0-9_-]{43}"

# Each scope, and the fields a grant without it may not use (AppSync's deniedFields).
SCOPE_FIELDS = {
    "ingest": ("Mutation.ingestEvents",),
    "results": ("Subscription.onIngestionResult",),
}


def new_token() -> str:
    """A fresh partner token (store only its `token_hash`)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The key a token's grant is stored under."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Grant:
    """One partner token's rights."""

    partner_id: str
    sources: frozenset[str]
    scopes: frozenset[str]
    active: bool = True
    expires_at: int | None = None  # epoch seconds


class GrantStore(Protocol):
    """Where grants are kept (a DynamoDB table deployed and locally)."""

    def find(self, token_hash: str) -> Grant | None: ...


@dataclass(frozen=True)
class Verdict:
    """The authorizer's answer for one token."""

    allowed: bool
    context: dict[str, str] = field(default_factory=dict)
    denied_fields: tuple[str, ...] = ()
    ttl_seconds: int | None = None


def decide(token: str, store: GrantStore, now: int, cache_seconds: int) -> Verdict:
    """Allow an active, unexpired grant with its scopes; the answer is cached no longer than the grant lasts."""
    grant = store.find(token_hash(token)) if token.startswith(TOKEN_PREFIX) else None
    if grant is None or not grant.active:
        return Verdict(allowed=False)
    ttl = cache_seconds
    if grant.expires_at is not None:
        if grant.expires_at <= now:
            return Verdict(allowed=False)
        ttl = min(ttl, grant.expires_at - now)
    denied = tuple(f for scope, fields in SCOPE_FIELDS.items() if scope not in grant.scopes for f in fields)
    return Verdict(
        allowed=True,
        context={
            "partnerId": grant.partner_id,
            "sources": ",".join(sorted(grant.sources)),
            "scopes": ",".join(sorted(grant.scopes)),
        },
        denied_fields=denied,
        ttl_seconds=ttl,
    )
