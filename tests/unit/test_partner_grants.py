"""The partner authorizer's decision: which tokens pass, with what context, denied fields and cache time."""

from __future__ import annotations

import re

from functions.partner_authorizer.grants import TOKEN_PATTERN, Grant, decide, new_token, token_hash

NOW = 1_700_000_000


class Grants:
    """A `GrantStore` in memory."""

    def __init__(self, **grants: Grant) -> None:
        self._by_hash = {token_hash(token): grant for token, grant in grants.items()}
        self.lookups = 0

    def find(self, token_hash: str) -> Grant | None:
        self.lookups += 1
        return self._by_hash.get(token_hash)


ACME = new_token()
GLOBEX = new_token()
GONE = new_token()
STALE = new_token()
STORE = Grants(
    **{
        ACME: Grant("acme", frozenset({"acme-web", "acme-pos"}), frozenset({"ingest", "results"})),
        GLOBEX: Grant("globex", frozenset({"globex-iot"}), frozenset({"ingest"}), expires_at=NOW + 60),
        GONE: Grant("initech", frozenset({"initech-web"}), frozenset({"ingest"}), active=False),
        STALE: Grant("umbrella", frozenset({"u"}), frozenset({"ingest"}), expires_at=NOW),
    }
)


def test_new_tokens_match_the_apis_validation_expression() -> None:
    assert re.fullmatch(TOKEN_PATTERN, new_token())
    assert token_hash(ACME) != ACME and len(token_hash(ACME)) == 64


def test_an_active_grant_passes_with_its_partner_sources_and_scopes() -> None:
    # WHEN / THEN
    verdict = decide(ACME, STORE, NOW, cache_seconds=300)
    assert verdict.allowed
    assert verdict.context == {
        "partnerId": "acme",
        "sources": "acme-pos,acme-web",
        "scopes": "ingest,results",
    }
    assert verdict.denied_fields == ()
    assert verdict.ttl_seconds == 300


def test_a_missing_scope_denies_its_fields_and_the_answer_lasts_no_longer_than_the_grant() -> None:
    verdict = decide(GLOBEX, STORE, NOW, cache_seconds=300)
    assert verdict.allowed
    assert verdict.denied_fields == ("Subscription.onIngestionResult",)
    assert verdict.ttl_seconds == 60


def test_unknown_revoked_and_expired_tokens_are_refused() -> None:
    for token in (new_token(), GONE, STALE):
        assert not decide(token, STORE, NOW, cache_seconds=300).allowed


def test_a_token_of_another_shape_is_refused_without_a_lookup() -> None:
    store = Grants()
    assert not decide("Bearer abc", store, NOW, cache_seconds=300).allowed
    assert store.lookups == 0
