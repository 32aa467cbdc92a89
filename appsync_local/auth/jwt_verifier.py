"""Verification of Cognito user-pool tokens (the runtime's own, or a real pool's through its JWKS URL)."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import jwt
from jwt.algorithms import RSAAlgorithm

from appsync_local.auth.errors import NOT_AUTHORIZED, UnauthorizedError

UNPARSABLE = "Unable to parse JWT token."
EXPIRED = "Token has expired."
_REQUIRED_CLAIMS = ["exp", "iat", "iss", "sub", "token_use"]
_TIME_CLAIMS = ("exp", "iat", "nbf", "auth_time")
# Tokens verified recently, kept until their `exp`: a client sends the same token on every request for an
# hour, and verifying its RS256 signature again each time is most of the runtime's cost of a small query.
VERIFIED_TOKENS_KEPT = 1024


def _is_numeric_date(value: object) -> bool:
    """A JSON number (RFC 7519's NumericDate), not a string or a boolean."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def decode_claims(
    token: str, key: Any, algorithm: str, issuer: str, leeway: float, required: Sequence[str]
) -> dict[str, Any]:
    """The verified claims of `token` (signature with `key` and `algorithm` only, `exp`, `iss`, the
    `required` claims, time claims that are numbers); AppSync's 401 texts otherwise. The audience is the
    caller's to check: user pools and OIDC put the client in different claims.
    """
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            issuer=issuer,
            leeway=leeway,
            options={"require": list(required), "verify_aud": False},
        )
    except jwt.ExpiredSignatureError as exc:
        raise UnauthorizedError(EXPIRED) from exc
    except jwt.InvalidSignatureError as exc:
        # A subclass of DecodeError, but the token parsed fine: it is forged or tampered with.
        raise UnauthorizedError(NOT_AUTHORIZED) from exc
    except jwt.DecodeError as exc:
        raise UnauthorizedError(UNPARSABLE) from exc
    except jwt.PyJWTError as exc:
        raise UnauthorizedError(NOT_AUTHORIZED) from exc
    # PyJWT reads a numeric string as a time ("exp": "9999999999"); RFC 7519 §2 says NumericDate, and no
    # issuer AppSync trusts signs anything else.
    if not all(_is_numeric_date(claims.get(name)) for name in _TIME_CLAIMS if name in claims):
        raise UnauthorizedError(NOT_AUTHORIZED)
    return claims


class JwtVerifier:
    """Verifies RS256 user-pool tokens the way AppSync does before a request reaches a resolver.

    Parameters
    ----------
    issuer
        The pool's issuer, ``https://cognito-idp.<region>.amazonaws.com/<pool id>``; ``iss`` must equal it.
    client_ids
        The accepted app clients: an id token's ``aud`` or an access token's ``client_id`` must be one.
        Empty means any client of the pool, as AppSync does when no client id regex is configured.
    jwks
        Returns the pool's JWKS document; it is called again when a token names an unknown ``kid``
        (key rotation), so a remote source should cache.
    leeway_seconds
        Clock skew tolerated on ``exp`` and ``iat``.
    clock
        The time, in epoch seconds, against which a token verified before has its ``exp`` checked again.
    """

    def __init__(
        self,
        issuer: str,
        client_ids: Sequence[str],
        jwks: Callable[[], dict[str, Any]],
        leeway_seconds: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.issuer = issuer
        self._client_ids = frozenset(client_ids)
        self._jwks = jwks
        self._leeway = leeway_seconds
        self._clock = clock
        self._keys: dict[str, Any] = {}
        # token -> (its kid, the key that verified it, its claims); only fully verified tokens enter.
        self._verified: OrderedDict[str, tuple[str, Any, dict[str, Any]]] = OrderedDict()
        self._verified_lock = threading.Lock()

    def verify(self, token: str) -> dict[str, Any]:
        """Return the token's claims once signature, expiry, issuer, use and client are verified.

        A token verified before is not verified again while its key is still the pool's, but its `exp` is
        checked on every use: an expired token is refused exactly as on first sight.
        """
        with self._verified_lock:
            entry = self._verified.get(token)
            if entry is not None:
                self._verified.move_to_end(token)
        if entry is not None:
            kid, key, claims = entry
            # PyJWT's own rule: expired when exp <= now - leeway.
            # The entry stays (it can only be expired from now on); the size bound drops it in time.
            if claims["exp"] <= self._clock() - self._leeway:
                raise UnauthorizedError(EXPIRED)
            # A JWKS reloaded without the key (rotation) no longer vouches for the token: verify it afresh.
            if self._keys.get(kid) is key:
                return dict(claims)
        kid, key, claims = self._verify_fully(token)
        with self._verified_lock:
            self._verified[token] = (kid, key, claims)
            while len(self._verified) > VERIFIED_TOKENS_KEPT:
                self._verified.popitem(last=False)
        return dict(claims)

    def _verify_fully(self, token: str) -> tuple[str, Any, dict[str, Any]]:
        """Verify the token from scratch; return the kid and key that verified it and its claims."""
        try:
            # Only the header is read before verification: it names the key to verify the token with.
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise UnauthorizedError(UNPARSABLE) from exc
        # Pinning RS256 here (and in decode) defeats `alg: none` and HS256-with-the-public-key forgeries.
        if header.get("alg") != "RS256":
            raise UnauthorizedError(NOT_AUTHORIZED)
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise UnauthorizedError(NOT_AUTHORIZED)
        key = self._key(kid)
        # Cognito puts the client in `aud` (id tokens) or `client_id` (access tokens): checked below.
        claims = decode_claims(token, key, "RS256", self.issuer, self._leeway, _REQUIRED_CLAIMS)
        token_use = claims.get("token_use")
        if token_use == "id":
            client = claims.get("aud")
        elif token_use == "access":
            client = claims.get("client_id")
        else:
            raise UnauthorizedError(NOT_AUTHORIZED)
        # Cognito's id tokens carry one client id as a string `aud` (and access tokens a string `client_id`);
        # anything else (e.g. an `aud` list) did not come from Cognito and cannot be matched to a client.
        if not isinstance(client, str) or (self._client_ids and client not in self._client_ids):
            raise UnauthorizedError(NOT_AUTHORIZED)
        return kid, key, claims

    def _key(self, kid: str) -> Any:
        key = self._keys.get(kid)
        if key is None:
            self._keys = self._load_keys()
            key = self._keys.get(kid)
        if key is None:
            raise UnauthorizedError(NOT_AUTHORIZED)
        return key

    def _load_keys(self) -> dict[str, Any]:
        keys: dict[str, Any] = {}
        for jwk in self._jwks().get("keys", []):
            # Only RSA signing keys are usable for RS256; anything else in the set is ignored.
            if jwk.get("kty") != "RSA" or jwk.get("use", "sig") != "sig" or "kid" not in jwk:
                continue
            try:
                keys[jwk["kid"]] = RSAAlgorithm.from_jwk(jwk)
            except jwt.InvalidKeyError:
                continue
        return keys


class RemoteJwks:
    """A JWKS fetched from a URL (e.g. a real pool's ``<issuer>/.well-known/jwks.json``), cached for `ttl_seconds`.

    Parameters
    ----------
    url
        Where the JWKS document is served.
    ttl_seconds
        How long a fetched document is reused before it is fetched again.
    timeout_seconds
        The HTTP timeout of one fetch.
    """

    def __init__(self, url: str, ttl_seconds: float = 300, timeout_seconds: float = 5) -> None:
        self.url = url
        self._ttl = ttl_seconds
        self._timeout = timeout_seconds
        self._lock = threading.Lock()
        self._document: dict[str, Any] = {"keys": []}
        self._fetched_at = float("-inf")

    def __call__(self) -> dict[str, Any]:
        with self._lock:
            if time.monotonic() - self._fetched_at >= self._ttl:
                self._fetched_at = time.monotonic()
                try:
                    with urllib.request.urlopen(self.url, timeout=self._timeout) as response:
                        self._document = json.loads(response.read())
                except (OSError, ValueError):
                    # An unreachable JWKS leaves the previous keys in place; unknown kids are then rejected.
                    pass
            return self._document
