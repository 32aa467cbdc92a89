"""OPENID_CONNECT: tokens verified as AppSync verifies them, against the issuer's discovered keys.

AppSync's OpenIDConnectConfig: the token's ``iss`` must equal ``issuer`` (and so must the ``issuer`` of the
discovery document at ``<issuer>/.well-known/openid-configuration``); its signature must verify with a key of
the document's ``jwks_uri``; ``aud`` (or ``client_id``) must match ``clientId``, which may be a regular
expression; ``iatTTL``/``authTTL`` are milliseconds after ``iat``/``auth_time``.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
import time
import urllib.request
from collections.abc import Callable
from typing import Any, Protocol

import jwt

from appsync_local.auth.errors import NOT_AUTHORIZED, UnauthorizedError
from appsync_local.auth.jwt_verifier import EXPIRED, UNPARSABLE, decode_claims
from appsync_local.wire.identity import OidcIdentity

logger = logging.getLogger("appsync_local.auth")

DISCOVERY_PATH = "/.well-known/openid-configuration"
# Asymmetric algorithms only: a JWKS holds public keys, and HS256 "signed" with a public key is a forgery.
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
)
_REQUIRED_CLAIMS = ["exp", "iss", "sub"]


class SigningKeys(Protocol):
    """Where an issuer's public keys come from."""

    def key(self, kid: str) -> jwt.PyJWK | None:
        """The signing key named `kid`, or None when the issuer has none by that name."""
        ...

    def fetches(self, kid: str) -> bool:
        """Whether `key(kid)` may wait on the network (so a server asks it off its event loop)."""
        ...


def parse_jwks(document: Any) -> dict[str, jwt.PyJWK]:
    """The usable signing keys of a JWKS document, by ``kid`` (keys PyJWT cannot use are left out)."""
    keys: dict[str, jwt.PyJWK] = {}
    entries = document.get("keys") if isinstance(document, dict) else None
    for entry in entries if isinstance(entries, list) else ():
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
            continue
        if entry.get("use", "sig") != "sig":
            continue
        try:
            key = jwt.PyJWK(entry)
        except (jwt.PyJWKError, jwt.InvalidKeyError):
            continue
        if key.algorithm_name in ASYMMETRIC_ALGORITHMS:
            keys[entry["kid"]] = key
    return keys


class JwksKeys:
    """Keys from a JWKS the process already holds (the runtime's own issuer): re-read on an unknown ``kid``."""

    def __init__(self, jwks: Callable[[], dict[str, Any]]) -> None:
        self._jwks = jwks
        self._keys: dict[str, jwt.PyJWK] = {}

    def key(self, kid: str) -> jwt.PyJWK | None:
        if kid not in self._keys:
            self._keys = parse_jwks(self._jwks())
        return self._keys.get(kid)

    def fetches(self, kid: str) -> bool:
        return False  # the JWKS is the process's own


def _fetch_json(url: str, timeout: float) -> Any:
    # Only http(s) URLs get here: the configured issuer (appdef checks it) and a jwks_uri checked below.
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


class DiscoveredKeys:
    """An issuer's keys found as AppSync finds them: discovery document, then its ``jwks_uri``.

    Keys are cached. A token naming a ``kid`` the cache lacks (the issuer rotated its keys) makes the
    document and the JWKS be fetched again, within a budget: `burst` fetches at once, then one more per
    `refresh_interval_seconds`, so a rotation is picked up at once while tokens with made-up ``kid``s cannot
    make the runtime hammer the issuer. A failed fetch keeps the keys it had.

    Parameters
    ----------
    issuer
        The configured issuer; the discovery document's ``issuer`` must equal it exactly.
    refresh_interval_seconds, burst
        The fetch budget: `burst` fetches, refilled at one per `refresh_interval_seconds`.
    timeout_seconds
        The HTTP timeout of each request.
    fetch
        Reads a URL's JSON (urllib by default).
    clock
        Monotonic seconds, for the budget.
    """

    def __init__(
        self,
        issuer: str,
        *,
        refresh_interval_seconds: float = 30.0,
        burst: int = 3,
        timeout_seconds: float = 5.0,
        fetch: Callable[[str, float], Any] = _fetch_json,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.issuer = issuer
        self.discovery_url = issuer.rstrip("/") + DISCOVERY_PATH
        self._interval = refresh_interval_seconds
        self._burst = burst
        self._timeout = timeout_seconds
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, jwt.PyJWK] = {}
        self._allowance = float(burst)
        self._counted_at = clock()

    def key(self, kid: str) -> jwt.PyJWK | None:
        known = self._keys.get(kid)  # a known kid never waits behind another token's fetch
        if known is not None:
            return known
        with self._lock:
            if kid not in self._keys and self._may_fetch():
                self._keys = self._load() or self._keys
            return self._keys.get(kid)

    def fetches(self, kid: str) -> bool:
        return kid not in self._keys

    def _may_fetch(self) -> bool:
        now = self._clock()
        self._allowance = min(self._burst, self._allowance + (now - self._counted_at) / self._interval)
        self._counted_at = now
        if self._allowance < 1:
            return False
        self._allowance -= 1
        return True

    def _load(self) -> dict[str, jwt.PyJWK] | None:
        try:
            document = self._fetch(self.discovery_url, self._timeout)
            if not isinstance(document, dict) or document.get("issuer") != self.issuer:
                found = document.get("issuer") if isinstance(document, dict) else None
                logger.warning(
                    "OIDC discovery at %s names issuer %r, not %r: its tokens are refused",
                    self.discovery_url,
                    found,
                    self.issuer,
                )
                return {}
            jwks_uri = document.get("jwks_uri")
            if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
                logger.warning("OIDC discovery at %s has no http(s) jwks_uri", self.discovery_url)
                return {}
            return parse_jwks(self._fetch(jwks_uri, self._timeout))
        except (OSError, ValueError) as exc:
            logger.warning(
                "OIDC keys of %s could not be fetched (%s); keeping the previous ones", self.issuer, exc
            )
            return None


# Tokens kept for routing are at most this long: a client chooses what it sends before it is authenticated.
ROUTING_CACHE_TOKEN_CHARS = 8192


def claimed_issuer(token: str) -> object:
    """The ``iss`` a token claims, unverified (None when it has none or is no JWT): for routing only."""
    if len(token) > ROUTING_CACHE_TOKEN_CHARS:
        return _claimed_issuer(token)
    return _cached_claimed_issuer(token)


def _claimed_issuer(token: str) -> object:
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    return unverified.get("iss")


# A client sends the same token with every request until it renews it.
_cached_claimed_issuer = functools.lru_cache(maxsize=4096)(_claimed_issuer)


class OidcVerifier:
    """Verifies OIDC tokens for one issuer, as AppSync's OPENID_CONNECT mode does.

    Parameters
    ----------
    issuer
        ``iss`` must equal it.
    keys
        The issuer's signing keys (`DiscoveredKeys` for a real issuer, `JwksKeys` for the runtime's own).
    client_id
        A regular expression that ``aud`` (any of its values) or ``client_id`` must match in full; None
        accepts any client.
    iat_ttl_ms, auth_ttl_ms
        How long after ``iat`` / ``auth_time`` a token stays valid, in milliseconds; None or 0: not checked.
    leeway_seconds
        Clock skew tolerated on ``exp``.
    clock
        The current time, in epoch seconds.
    """

    def __init__(
        self,
        issuer: str,
        keys: SigningKeys,
        *,
        client_id: str | None = None,
        iat_ttl_ms: int | None = None,
        auth_ttl_ms: int | None = None,
        leeway_seconds: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.issuer = issuer
        self._keys = keys
        self._client_id = re.compile(client_id) if client_id is not None else None
        self._iat_ttl_ms = iat_ttl_ms or None
        self._auth_ttl_ms = auth_ttl_ms or None
        self._leeway = leeway_seconds
        self._clock = clock

    def claims_token(self, token: str) -> bool:
        """Whether `token` names this issuer: how a request is routed when several JWT modes are enabled.

        Only the routing reads the unverified ``iss``; `verify` then checks everything.
        """
        return claimed_issuer(token) == self.issuer

    def may_block(self, token: str) -> bool:
        """Whether verifying `token` may wait on the issuer (its ``kid`` is not among the keys fetched so far)."""
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            return False
        return isinstance(kid, str) and self._keys.fetches(kid)

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims once signature, expiry, issuer, client and TTLs are verified."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise UnauthorizedError(UNPARSABLE) from exc
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm not in ASYMMETRIC_ALGORITHMS or not isinstance(kid, str):
            raise UnauthorizedError(NOT_AUTHORIZED)
        key = self._keys.key(kid)
        # The key decides the algorithm: a token may not ask for another one than its key is for.
        if key is None or key.algorithm_name != algorithm:
            raise UnauthorizedError(NOT_AUTHORIZED)
        now = self._clock()
        claims = decode_claims(token, key.key, algorithm, self.issuer, self._leeway, _REQUIRED_CLAIMS)
        if not isinstance(claims["sub"], str) or not claims["sub"]:
            raise UnauthorizedError(NOT_AUTHORIZED)
        ttl_refusal = self._expired_by_ttl(claims, now)
        if ttl_refusal is not None:
            raise UnauthorizedError(ttl_refusal)
        if self._client_id is not None and not self._client_matches(claims):
            raise UnauthorizedError(NOT_AUTHORIZED)
        return claims

    def _expired_by_ttl(self, claims: dict[str, Any], now: float) -> str | None:
        for claim, ttl_ms in (("iat", self._iat_ttl_ms), ("auth_time", self._auth_ttl_ms)):
            if ttl_ms is None:
                continue
            if claim not in claims:
                return NOT_AUTHORIZED  # a limit counted from a time the token does not state cannot hold
            if now * 1000 > claims[claim] * 1000 + ttl_ms:
                return EXPIRED
        return None

    def _client_matches(self, claims: dict[str, Any]) -> bool:
        assert self._client_id is not None
        audience = claims.get("aud")
        candidates = (
            [audience] if isinstance(audience, str) else audience if isinstance(audience, list) else []
        )
        candidates = [*candidates, claims.get("client_id")]
        return any(isinstance(c, str) and self._client_id.fullmatch(c) for c in candidates)


def oidc_identity(claims: dict[str, Any]) -> OidcIdentity:
    """AppSync's ``ctx.identity`` for an OIDC caller."""
    return {"sub": claims["sub"], "issuer": claims["iss"], "claims": claims}
