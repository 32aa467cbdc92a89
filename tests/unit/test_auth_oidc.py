"""OPENID_CONNECT tokens, verified against an issuer's discovered keys as AppSync verifies them.

The issuer is a real HTTP server on 127.0.0.1 (tests/fixtures/oidc_issuer.py): discovery, JWKS, rotation.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Awaitable, Iterator
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from appsync_local.auth import (
    EXPIRED,
    NOT_AUTHORIZED,
    OPENID_CONNECT,
    UNPARSABLE,
    USER_POOLS,
    Authenticator,
    JwtVerifier,
    LocalUserPool,
    RequestAuth,
    UnauthorizedError,
    oidc,
)
from appsync_local.auth.oidc import DiscoveredKeys, JwksKeys, OidcVerifier, oidc_identity
from appsync_local.auth.oidc_issuer import LocalOidcIssuer
from tests.fixtures.oidc_issuer import TinyOidcIssuer


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def issuer() -> Iterator[TinyOidcIssuer]:
    with TinyOidcIssuer().serving() as running:
        yield running


def verifier(issuer: TinyOidcIssuer, **options: object) -> OidcVerifier:
    keys = DiscoveredKeys(issuer.issuer)
    return OidcVerifier(issuer.issuer, keys, **options)  # type: ignore[arg-type]


def refusal(verifier: OidcVerifier, token: str) -> str:
    with pytest.raises(UnauthorizedError) as raised:
        verifier.verify(token)
    return raised.value.message


def test_a_token_of_the_issuer_gives_appsyncs_oidc_identity(issuer: TinyOidcIssuer) -> None:
    # GIVEN a token of the issuer, WHEN verified
    claims = verifier(issuer, client_id="partner-app").verify(issuer.mint("user-7", email="u7@example.com"))
    # THEN the identity is AppSync's OIDC identity: sub, issuer and every claim
    assert oidc_identity(claims) == {"sub": "user-7", "issuer": issuer.issuer, "claims": claims}
    assert claims["email"] == "u7@example.com"
    # AND the keys came from the discovery document's jwks_uri
    assert issuer.fetches == ["/tenant/.well-known/openid-configuration", "/tenant/keys"]


def test_an_expired_token_is_refused(issuer: TinyOidcIssuer) -> None:
    token = issuer.mint(issued_at=time.time() - 7200, ttl_seconds=3600)
    assert refusal(verifier(issuer), token) == EXPIRED


def test_a_forged_signature_is_refused(issuer: TinyOidcIssuer) -> None:
    # GIVEN a token naming the issuer's kid but signed by another key
    forged = issuer.mint(key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
    # THEN
    assert refusal(verifier(issuer), forged) == NOT_AUTHORIZED


def _hs256_with_public_key(issuer: TinyOidcIssuer) -> str:
    """The classic forgery: HS256 keyed with the issuer's public key (PyJWT refuses to make one)."""
    public_pem = jwt.PyJWK(issuer.jwks()["keys"][0]).key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "kid": issuer.kid, "typ": "JWT"}
    claims = jwt.decode(issuer.mint(), options={"verify_signature": False})
    signing_input = b".".join(
        base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=") for part in (header, claims)
    )
    signature = base64.urlsafe_b64encode(hmac.new(public_pem, signing_input, hashlib.sha256).digest())
    return (signing_input + b"." + signature.rstrip(b"=")).decode()


def test_alg_none_and_hs256_with_the_public_key_are_refused(issuer: TinyOidcIssuer) -> None:
    claims = jwt.decode(issuer.mint(), options={"verify_signature": False})
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": issuer.kid})
    assert refusal(verifier(issuer), unsigned) == NOT_AUTHORIZED
    assert refusal(verifier(issuer), _hs256_with_public_key(issuer)) == NOT_AUTHORIZED
    assert refusal(verifier(issuer), "not-a-jwt") == UNPARSABLE


def test_a_token_of_another_issuer_is_refused(issuer: TinyOidcIssuer) -> None:
    # GIVEN a correctly signed token whose iss is not the configured issuer
    token = issuer.mint(iss="https://evil.example.com")
    assert refusal(verifier(issuer), token) == NOT_AUTHORIZED


def test_discovery_naming_another_issuer_refuses_every_token(issuer: TinyOidcIssuer) -> None:
    # GIVEN a discovery document whose issuer differs from the configured one (AppSync: must match exactly)
    issuer.discovery_issuer = issuer.issuer + "/"
    # THEN even a well-signed token is refused: no keys are trusted
    assert refusal(verifier(issuer), issuer.mint()) == NOT_AUTHORIZED


@pytest.mark.parametrize(
    ("client_id", "claims", "accepted"),
    [
        ("partner-app", {"aud": "partner-app"}, True),
        ("partner-app", {"aud": "other-app"}, False),
        ("partner-app", {"aud": "partner-app-2"}, False),  # the regex must match in full
        ("partner-(web|ios)", {"aud": "partner-ios"}, True),
        ("partner-(web|ios)", {"aud": ["x", "partner-web"]}, True),  # any of a list
        ("partner-(web|ios)", {"aud": "x", "client_id": "partner-web"}, True),  # access tokens
        ("partner-(web|ios)", {"aud": 7}, False),
        (None, {"aud": "anything"}, True),
    ],
)
def test_the_client_id_is_a_regex_matched_against_aud_or_client_id(
    issuer: TinyOidcIssuer, client_id: str | None, claims: dict[str, object], accepted: bool
) -> None:
    audience = claims.pop("aud")
    token = issuer.mint(audience=audience, **claims)  # type: ignore[arg-type]
    check = verifier(issuer, client_id=client_id)
    if accepted:
        assert check.verify(token)["iss"] == issuer.issuer
    else:
        assert refusal(check, token) == NOT_AUTHORIZED


def test_iat_ttl_and_auth_ttl_are_milliseconds(issuer: TinyOidcIssuer) -> None:
    clock = FakeClock()
    clock.now = time.time()
    token = issuer.mint(issued_at=clock.now - 10, ttl_seconds=3600, auth_time=clock.now - 100)
    # WHEN the token is 10 s old and iatTTL is 11,000 ms THEN it is valid; at 9,000 ms it has expired
    assert verifier(issuer, iat_ttl_ms=11_000, clock=clock).verify(token)
    assert refusal(verifier(issuer, iat_ttl_ms=9_000, clock=clock), token) == EXPIRED
    # AND authTTL counts from auth_time (100 s ago)
    assert verifier(issuer, auth_ttl_ms=101_000, clock=clock).verify(token)
    assert refusal(verifier(issuer, auth_ttl_ms=99_000, clock=clock), token) == EXPIRED
    # AND 0 means no limit
    assert verifier(issuer, iat_ttl_ms=0, auth_ttl_ms=0, clock=clock).verify(token)


def test_a_ttl_needs_the_claim_it_counts_from(issuer: TinyOidcIssuer) -> None:
    token = issuer.mint("s", omit=("iat", "auth_time"))
    assert verifier(issuer).verify(token)["sub"] == "s"
    assert refusal(verifier(issuer, iat_ttl_ms=60_000), token) == NOT_AUTHORIZED


def test_a_rotated_key_is_picked_up_by_its_new_kid(issuer: TinyOidcIssuer) -> None:
    # GIVEN a verifier that has fetched the issuer's first key
    check = verifier(issuer)
    assert check.verify(issuer.mint())
    before = len(issuer.fetches)
    # WHEN the issuer rotates and signs with a new kid
    issuer.rotate()
    token = issuer.mint()
    # THEN the new kid makes the verifier fetch the keys again, and the token is accepted
    assert check.verify(token)
    assert len(issuer.fetches) == before + 2
    # AND a known kid costs no fetch
    assert check.verify(issuer.mint())
    assert len(issuer.fetches) == before + 2


def test_unknown_kids_cannot_make_the_runtime_hammer_the_issuer(issuer: TinyOidcIssuer) -> None:
    # GIVEN a budget of 2 fetches, refilled at one per 30 s
    clock = FakeClock()
    keys = DiscoveredKeys(issuer.issuer, burst=2, refresh_interval_seconds=30, clock=clock)
    check = OidcVerifier(issuer.issuer, keys)
    # WHEN many tokens name kids the issuer never published
    for n in range(10):
        assert refusal(check, issuer.mint(kid=f"made-up-{n}")) == NOT_AUTHORIZED
    # THEN the issuer was asked twice (discovery + JWKS each time), not ten times
    assert len(issuer.fetches) == 4
    # AND once the interval passes, a real rotation is picked up
    issuer.rotate()
    clock.now += 30
    assert check.verify(issuer.mint())
    assert len(issuer.fetches) == 6


def test_an_unreachable_issuer_refuses_tokens_without_failing() -> None:
    # GIVEN an issuer URL where nothing listens
    with TinyOidcIssuer().serving() as gone:
        token = gone.mint()
        url = gone.issuer
    check = OidcVerifier(url, DiscoveredKeys(url, timeout_seconds=1))
    # THEN the token is refused with AppSync's 401, not an exception
    assert refusal(check, token) == NOT_AUTHORIZED


def test_the_local_issuer_signs_tokens_its_own_keys_verify(tmp_path: Path) -> None:
    # GIVEN the runtime's own issuer standing in for a configured one
    local = LocalOidcIssuer(tmp_path, "https://login.example.com", "blog-app")
    check = OidcVerifier(local.issuer, JwksKeys(local.jwks), client_id="blog-app")
    # WHEN it mints a token
    claims = check.verify(local.mint("alice"))
    # THEN the token is for the configured client, with a stable sub of this issuer
    assert claims["aud"] == "blog-app" and claims["sub"] == local.sub_for("alice")
    assert (
        LocalOidcIssuer(tmp_path, "https://login.example.com", "blog-app").sub_for("alice") == claims["sub"]
    )
    # AND its key survives a restart (kept under the data folder), but is not another issuer's
    again = LocalOidcIssuer(tmp_path, "https://login.example.com", "blog-app")
    assert again.kid == local.kid
    assert LocalOidcIssuer(tmp_path, "https://other.example.com", "blog-app").kid != local.kid
    # AND a client id pattern needs an explicit audience
    with pytest.raises(ValueError, match="pattern"):
        LocalOidcIssuer(tmp_path, "https://login.example.com", "blog-(web|ios)").mint("alice")
    # AND discovery names the issuer and where its keys are
    document = local.discovery("http://127.0.0.1:4000/")
    assert document["issuer"] == "https://login.example.com"
    assert document["jwks_uri"] == "http://127.0.0.1:4000/_local/oidc/jwks.json"


# -- the authenticator: which mode a token goes to ---------------------------------------------------


def test_tokens_go_to_oidc_by_issuer_and_to_the_user_pool_otherwise(tmp_path: Path) -> None:
    # GIVEN an API with user pools and OIDC (the local issuer standing in for the OIDC one)
    pool = LocalUserPool(tmp_path, "us-east-1", "us-east-1_LocalPool", "web", [])
    local = LocalOidcIssuer(tmp_path, "https://login.example.com", "blog-app")
    authenticator = Authenticator(
        (USER_POOLS, OPENID_CONNECT),
        None,
        JwtVerifier(pool.issuer, ["web"], pool.jwks),
        None,
        OidcVerifier(local.issuer, JwksKeys(local.jwks), client_id="blog-app"),
    )

    def auth(token: str) -> RequestAuth:
        return authenticator.authenticate(
            "POST", "http://h/graphql", {"Authorization": token}, b"", "1.2.3.4"
        )

    # WHEN / THEN an OIDC token is OIDC's, with AppSync's OIDC identity
    oidc = auth(local.mint("alice"))
    assert oidc.mode == OPENID_CONNECT
    assert oidc.identity == {"sub": local.sub_for("alice"), "issuer": local.issuer, "claims": oidc.claims}
    # AND a user-pool token is the user pool's
    assert auth(pool.mint("alice")).mode == USER_POOLS
    # AND a token naming the OIDC issuer with a forged signature is refused, not passed on to the pool
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(
        {**oidc.claims, "token_use": "id", "aud": "web"},
        other_key,
        algorithm="RS256",
        headers={"kid": local.kid},
    )
    with pytest.raises(UnauthorizedError):
        auth(forged)


def test_with_only_oidc_every_token_is_oidcs(tmp_path: Path) -> None:
    local = LocalOidcIssuer(tmp_path, "https://login.example.com", None)
    authenticator = Authenticator(
        (OPENID_CONNECT,), None, None, None, OidcVerifier(local.issuer, JwksKeys(local.jwks))
    )
    pool = LocalUserPool(tmp_path, "us-east-1", "us-east-1_LocalPool", "web", [])
    headers = {"Authorization": f"Bearer {pool.mint('alice')}"}
    with pytest.raises(UnauthorizedError) as raised:
        authenticator.authenticate("POST", "http://h/graphql", headers, b"", "1.2.3.4")
    assert raised.value.message == NOT_AUTHORIZED
    ok = {"Authorization": f"Bearer {local.mint('bob')}"}
    assert authenticator.authenticate("POST", "http://h/graphql", ok, b"", "1.2.3.4").mode == OPENID_CONNECT


def test_routing_keeps_no_long_token_in_memory() -> None:
    short = jwt.encode({"iss": "https://issuer.example"}, "k" * 32, algorithm="HS256")
    long = jwt.encode({"iss": "https://issuer.example", "pad": "x" * 10_000}, "k" * 32, algorithm="HS256")
    oidc._cached_claimed_issuer.cache_clear()
    # WHEN both are routed THEN both name their issuer, and only the short one is kept
    assert oidc.claimed_issuer(short) == oidc.claimed_issuer(long) == "https://issuer.example"
    assert oidc._cached_claimed_issuer.cache_info().currsize == 1
    assert oidc.claimed_issuer("not a token") is None


async def test_fetching_an_issuers_keys_never_stalls_the_event_loop(issuer: TinyOidcIssuer) -> None:
    # GIVEN an issuer whose discovery and JWKS answer only when the test lets them
    fetching, answer = threading.Event(), threading.Event()

    def slow_fetch(url: str, timeout: float) -> object:
        fetching.set()
        answer.wait(5)
        return oidc._fetch_json(url, timeout)

    keys = DiscoveredKeys(issuer.issuer, fetch=slow_fetch)
    authenticator = Authenticator((OPENID_CONNECT,), None, None, None, OidcVerifier(issuer.issuer, keys))

    def authenticate(token: str) -> Awaitable[RequestAuth]:
        headers = {"Authorization": f"Bearer {token}"}
        return authenticator.authenticate_async("POST", "http://h/graphql", headers, b"", "1.2.3.4")

    # WHEN the first token makes the runtime fetch the keys
    first = asyncio.create_task(authenticate(issuer.mint()))
    await asyncio.to_thread(fetching.wait, 5)
    # THEN the event loop is free meanwhile: this runs while the fetch waits
    assert fetching.is_set() and not first.done()
    answer.set()
    assert (await first).mode == OPENID_CONNECT

    # WHEN a token names a kid the issuer never published, and its fetch hangs
    fetching.clear()
    answer.clear()
    unknown = asyncio.create_task(authenticate(issuer.mint(kid="made-up")))
    await asyncio.to_thread(fetching.wait, 5)
    # THEN a token with a known kid is verified at once, waiting neither for that fetch nor for its lock
    known = await asyncio.wait_for(authenticate(issuer.mint()), 2)
    assert known.mode == OPENID_CONNECT and not unknown.done()
    answer.set()
    with pytest.raises(UnauthorizedError):
        await unknown
