"""User-pool tokens: the local issuer mints Cognito-shaped tokens; the verifier accepts only genuine ones."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from appdef import LocalUser
from appsync_local.auth import (
    EXPIRED,
    INCORRECT_CREDENTIALS,
    NOT_AUTHORIZED,
    UNPARSABLE,
    JwtVerifier,
    LocalUserPool,
    RemoteJwks,
    UnauthorizedError,
)
from tests.fixtures.json_endpoint import json_endpoint

REGION = "us-east-1"
POOL_ID = "us-east-1_LocalPool"
CLIENT_ID = "local-web-client"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"
USERS = (
    LocalUser.named("alice", email="alice@example.com", password="Passw0rd!", groups=("authors",)),
    LocalUser.named("bob", email="bob@example.com", password="Passw0rd!", groups=()),
)


@pytest.fixture
def pool(tmp_path: Path) -> LocalUserPool:
    return LocalUserPool(tmp_path, REGION, POOL_ID, CLIENT_ID, USERS)


@pytest.fixture
def verifier(pool: LocalUserPool) -> JwtVerifier:
    return JwtVerifier(pool.issuer, [CLIENT_ID], pool.jwks)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def rejection(verifier: JwtVerifier, token: str) -> str:
    with pytest.raises(UnauthorizedError) as raised:
        verifier.verify(token)
    return raised.value.message


class ForeignIssuer:
    """An RSA key outside the pool, to sign tokens with arbitrary claims."""

    def __init__(self, kid: str = "test-key") -> None:
        self.kid = kid
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwks(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {
            "keys": [
                {"kty": "RSA", "n": jwk["n"], "e": jwk["e"], "kid": self.kid, "alg": "RS256", "use": "sig"}
            ]
        }

    def sign(self, claims: dict[str, Any], kid: str | None = None) -> str:
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": kid or self.kid})


def id_claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "sub": str(uuid.uuid4()),
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "token_use": "id",
        "cognito:username": "mallory",
        "iat": now,
        "exp": now + 3600,
    }
    return claims | overrides


def test_a_minted_id_token_verifies_with_cognitos_claims(pool: LocalUserPool, verifier: JwtVerifier) -> None:
    # GIVEN an id token for a configured user
    token = pool.mint("alice")

    # WHEN it is verified
    claims = verifier.verify(token)

    # THEN it carries exactly Cognito's id-token claims
    assert set(claims) == {
        "sub", "cognito:groups", "email_verified", "iss", "cognito:username", "origin_jti", "aud",
        "event_id", "token_use", "auth_time", "exp", "iat", "jti", "email",
    }  # fmt: skip
    assert claims["iss"] == ISSUER == pool.issuer
    assert claims["aud"] == CLIENT_ID
    assert claims["token_use"] == "id"
    assert claims["cognito:username"] == "alice"
    assert claims["cognito:groups"] == ["authors"]
    assert claims["email"] == "alice@example.com"
    assert claims["sub"] == pool.sub_for("alice")
    assert claims["exp"] - claims["iat"] == 3600
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "kid": pool.kid}


def test_a_minted_access_token_verifies_with_cognitos_claims(
    pool: LocalUserPool, verifier: JwtVerifier
) -> None:
    # GIVEN an access token with explicit groups
    token = pool.mint("alice", groups=["admins"], token_use="access")

    # WHEN it is verified
    claims = verifier.verify(token)

    # THEN it has the access token's claims: client_id instead of aud, username, Cognito's scope
    assert "aud" not in claims
    assert claims["client_id"] == CLIENT_ID
    assert claims["token_use"] == "access"
    assert claims["username"] == "alice"
    assert claims["scope"] == "aws.cognito.signin.user.admin"
    assert claims["cognito:groups"] == ["admins"]


def test_users_without_groups_get_no_groups_claim_and_unknown_names_are_allowed(
    pool: LocalUserPool, verifier: JwtVerifier
) -> None:
    # GIVEN / WHEN tokens for a configured user without groups and for a name not configured
    bob = verifier.verify(pool.mint("bob"))
    dave = verifier.verify(pool.mint("dave", groups=["premium"]))

    # THEN bob has no cognito:groups, and dave gets a deterministic sub and the groups asked for
    assert "cognito:groups" not in bob
    assert dave["sub"] == pool.sub_for("dave")
    assert dave["cognito:groups"] == ["premium"]


def test_the_signing_key_and_subs_survive_a_restart(tmp_path: Path) -> None:
    # GIVEN a token minted before a restart
    before = LocalUserPool(tmp_path, REGION, POOL_ID, CLIENT_ID, USERS)
    token = before.mint("alice")

    # WHEN a new pool is built on the same data directory
    after = LocalUserPool(tmp_path, REGION, POOL_ID, CLIENT_ID, USERS)

    # THEN it publishes the same key, still accepts the token and gives the same subs
    assert after.jwks() == before.jwks()
    assert JwtVerifier(after.issuer, [CLIENT_ID], after.jwks).verify(token)["sub"] == after.sub_for("alice")
    assert after.sub_for("alice") == before.sub_for("alice") != after.sub_for("bob")


def test_the_jwks_looks_like_cognitos(pool: LocalUserPool) -> None:
    # GIVEN / WHEN the published keys are read
    keys = pool.jwks()["keys"]

    # THEN they are RS256 signing keys with Cognito's fields: one for id tokens, one for access tokens
    assert [key["kid"] for key in keys] == [pool.kid, pool.access_kid]
    for key in keys:
        assert set(key) == {"alg", "e", "kid", "kty", "n", "use"}
        assert (key["alg"], key["kty"], key["use"]) == ("RS256", "RSA", "sig")


def test_id_and_access_tokens_are_signed_with_different_keys(
    pool: LocalUserPool, verifier: JwtVerifier
) -> None:
    # GIVEN one sign-in's tokens
    tokens = pool.sign_in("alice", USERS[0].password)

    # WHEN their headers are read
    id_kid = jwt.get_unverified_header(tokens["IdToken"])["kid"]
    access_kid = jwt.get_unverified_header(tokens["AccessToken"])["kid"]

    # THEN, as Cognito's, the access token's kid is not the id token's, and both verify
    assert id_kid != access_kid
    assert verifier.verify(tokens["IdToken"])["token_use"] == "id"
    assert verifier.verify(tokens["AccessToken"])["token_use"] == "access"


def test_an_expired_token_is_rejected(pool: LocalUserPool, verifier: JwtVerifier) -> None:
    # GIVEN a token that expired an hour ago
    token = pool.mint("alice", ttl_seconds=3600, now=time.time() - 7200)

    # WHEN / THEN it is rejected as expired
    assert rejection(verifier, token) == EXPIRED


@pytest.mark.parametrize(
    ("make_verifier", "why"),
    [
        (
            lambda pool: JwtVerifier(ISSUER.replace(POOL_ID, "us-east-1_Other"), [CLIENT_ID], pool.jwks),
            "issuer",
        ),
        (lambda pool: JwtVerifier(pool.issuer, ["another-client"], pool.jwks), "audience"),
    ],
)
def test_a_token_for_another_issuer_or_client_is_rejected(
    pool: LocalUserPool, make_verifier: Callable[[LocalUserPool], JwtVerifier], why: str
) -> None:
    # GIVEN a verifier expecting another issuer or client
    verifier = make_verifier(pool)

    # WHEN / THEN the pool's id and access tokens are both rejected
    assert rejection(verifier, pool.mint("alice")) == NOT_AUTHORIZED, why
    assert rejection(verifier, pool.mint("alice", token_use="access")) == NOT_AUTHORIZED, why


@pytest.mark.parametrize("token_use", ["refresh", None])
def test_a_token_with_a_wrong_token_use_is_rejected(token_use: str | None) -> None:
    # GIVEN a correctly signed token whose token_use is neither id nor access (or absent)
    issuer = ForeignIssuer()
    claims = id_claims(token_use=token_use)
    if token_use is None:
        del claims["token_use"]
    verifier = JwtVerifier(ISSUER, [CLIENT_ID], issuer.jwks)

    # WHEN / THEN it is rejected, while the same token as an id token passes
    assert rejection(verifier, issuer.sign(claims)) == NOT_AUTHORIZED
    assert verifier.verify(issuer.sign(id_claims()))["cognito:username"] == "mallory"


def test_a_tampered_payload_is_rejected(pool: LocalUserPool, verifier: JwtVerifier) -> None:
    # GIVEN bob's token with its payload swapped for one that claims the admins group
    header, payload, signature = pool.mint("bob").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["cognito:groups"] = ["admins"]
    forged = ".".join([header, b64url(json.dumps(claims).encode()), signature])

    # WHEN / THEN the signature no longer matches
    assert rejection(verifier, forged) == NOT_AUTHORIZED


def test_a_token_signed_by_another_key_is_rejected(
    tmp_path: Path, pool: LocalUserPool, verifier: JwtVerifier
) -> None:
    # GIVEN a token from another data directory's pool (same pool id, different key)
    other = LocalUserPool(tmp_path / "other", REGION, POOL_ID, CLIENT_ID, USERS)
    foreign = other.mint("alice")
    # and a token from a foreign key that claims the pool's own kid
    impostor = ForeignIssuer().sign(id_claims(), kid=pool.kid)

    # WHEN / THEN both are rejected
    assert rejection(verifier, foreign) == NOT_AUTHORIZED
    assert rejection(verifier, impostor) == NOT_AUTHORIZED


def test_an_alg_none_forgery_is_rejected(pool: LocalUserPool, verifier: JwtVerifier) -> None:
    # GIVEN an unsigned token that names the pool's key
    header = b64url(json.dumps({"alg": "none", "kid": pool.kid}).encode())
    payload = b64url(json.dumps(id_claims()).encode())

    # WHEN / THEN it is rejected with or without a trailing signature segment
    assert rejection(verifier, f"{header}.{payload}.") == NOT_AUTHORIZED
    assert rejection(verifier, f"{header}.{payload}.c2lnbmF0dXJl") == NOT_AUTHORIZED


def test_an_hs256_forgery_keyed_with_the_public_key_is_rejected(
    pool: LocalUserPool, verifier: JwtVerifier
) -> None:
    # GIVEN a token MACed with the pool's public key (the classic algorithm-confusion attack)
    public_pem = RSAAlgorithm.from_jwk(pool.jwks()["keys"][0]).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = ".".join(
        [
            b64url(json.dumps({"alg": "HS256", "kid": pool.kid, "typ": "JWT"}).encode()),
            b64url(json.dumps(id_claims()).encode()),
        ]
    )
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()

    # WHEN / THEN it is rejected
    assert rejection(verifier, f"{signing_input}.{b64url(mac)}") == NOT_AUTHORIZED


@pytest.mark.parametrize("garbage", ["", "not-a-jwt", "a.b.c", "Bearer"])
def test_garbage_is_reported_as_unparsable(verifier: JwtVerifier, garbage: str) -> None:
    # GIVEN / WHEN / THEN text that is no JWT gets AppSync's parse message
    assert rejection(verifier, garbage) == UNPARSABLE


def test_sign_in_returns_tokens_the_verifier_accepts(pool: LocalUserPool, verifier: JwtVerifier) -> None:
    # GIVEN / WHEN a configured user signs in with the right password
    result = pool.sign_in("alice", "Passw0rd!")

    # THEN Cognito's InitiateAuth result comes back and both tokens verify, from one sign-in
    assert (result["ExpiresIn"], result["TokenType"]) == (3600, "Bearer")
    id_token = verifier.verify(result["IdToken"])
    access_token = verifier.verify(result["AccessToken"])
    assert id_token["sub"] == access_token["sub"] == pool.sub_for("alice")
    assert id_token["origin_jti"] == access_token["origin_jti"]


@pytest.mark.parametrize(("username", "password"), [("alice", "wrong"), ("nobody", "Passw0rd!")])
def test_sign_in_with_bad_credentials_is_refused(pool: LocalUserPool, username: str, password: str) -> None:
    # GIVEN / WHEN a wrong password or an unknown user signs in
    with pytest.raises(UnauthorizedError) as raised:
        pool.sign_in(username, password)

    # THEN Cognito's message is given, the same for both
    assert raised.value.message == INCORRECT_CREDENTIALS


def test_minting_a_token_use_cognito_does_not_issue_is_refused(pool: LocalUserPool) -> None:
    # GIVEN / WHEN / THEN
    with pytest.raises(ValueError, match="token_use"):
        pool.mint("alice", token_use="refresh")


def test_leeway_tolerates_small_clock_skew(pool: LocalUserPool) -> None:
    # GIVEN a token that expired 5 seconds ago and a verifier with 30 s leeway
    token = pool.mint("alice", ttl_seconds=60, now=time.time() - 65)
    lenient = JwtVerifier(pool.issuer, [CLIENT_ID], pool.jwks, leeway_seconds=30)

    # WHEN / THEN it is still accepted
    assert lenient.verify(token)["cognito:username"] == "alice"


@contextmanager
def serving_json(document: dict[str, Any]) -> Iterator[str]:
    """Serve `document` as a JWKS URL on 127.0.0.1 (a free port) until the block ends."""
    with json_endpoint(lambda headers, body: (200, document, "application/json")) as base:
        yield f"{base}/.well-known/jwks.json"


def test_a_pool_can_be_verified_through_its_jwks_url(pool: LocalUserPool) -> None:
    # GIVEN the pool's keys served at a JWKS URL, as Cognito serves them
    with serving_json(pool.jwks()) as url:
        verifier = JwtVerifier(pool.issuer, [CLIENT_ID], RemoteJwks(url))

        # WHEN / THEN a token verifies against the fetched keys
        assert verifier.verify(pool.mint("alice"))["cognito:username"] == "alice"


def test_an_unreachable_jwks_url_rejects_tokens_without_crashing(pool: LocalUserPool) -> None:
    # GIVEN a JWKS URL where nothing listens (the port of a server that has stopped)
    with serving_json({"keys": []}) as url:
        pass
    verifier = JwtVerifier(pool.issuer, [CLIENT_ID], RemoteJwks(url, timeout_seconds=1))

    # WHEN / THEN tokens are refused with AppSync's message
    assert rejection(verifier, pool.mint("alice")) == NOT_AUTHORIZED


def test_a_verified_token_is_refused_once_it_expires_though_it_was_accepted_before(
    pool: LocalUserPool,
) -> None:
    # GIVEN a token valid for a minute, accepted once
    now = [time.time()]
    verifier = JwtVerifier(pool.issuer, [CLIENT_ID], pool.jwks, clock=lambda: now[0])
    token = pool.mint("alice", ttl_seconds=60)
    assert verifier.verify(token)["cognito:username"] == "alice"

    # WHEN it is sent again two minutes later
    now[0] += 120

    # THEN it is refused as expired, every time
    assert rejection(verifier, token) == EXPIRED
    assert rejection(verifier, token) == EXPIRED


def test_a_verified_token_is_accepted_again_with_the_same_claims(
    pool: LocalUserPool, verifier: JwtVerifier
) -> None:
    # GIVEN a token accepted once, whose claims a caller then changed
    token = pool.mint("alice", ttl_seconds=3600)
    first = verifier.verify(token)
    first["cognito:username"] = "mallory"

    # WHEN it is sent again
    second = verifier.verify(token)

    # THEN its own claims come back, not the caller's edit
    assert second["cognito:username"] == "alice"
    assert second["sub"] == pool.sub_for("alice")


def test_a_verified_token_whose_key_left_the_jwks_is_refused() -> None:
    # GIVEN a token signed by a key the pool published, accepted once
    old, new = ForeignIssuer(kid="old"), ForeignIssuer(kid="new")
    published = {"jwks": old.jwks()}
    verifier = JwtVerifier(ISSUER, [CLIENT_ID], lambda: published["jwks"])
    old_token = old.sign(id_claims())
    assert verifier.verify(old_token)["token_use"] == "id"

    # WHEN the pool rotates to a new key (a token of the new key makes the verifier reload the JWKS)
    published["jwks"] = new.jwks()
    assert verifier.verify(new.sign(id_claims()))["token_use"] == "id"

    # THEN the old key's token is no longer accepted
    assert rejection(verifier, old_token) == NOT_AUTHORIZED
