"""OPENID_CONNECT against the project's API: the runtime's own OIDC issuer, `@aws_oidc`, AppSync's refusals.

appsync.toml enables OIDC as an additional mode for the blog's public reads; locally the runtime stands in
for `[auth.oidc] issuer` (tokens as `make token USER=… ISSUER=oidc` prints them).
"""

from __future__ import annotations

import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from appsync_local.auth.oidc_issuer import LocalOidcIssuer
from tests.fixtures.live_server import LiveServer

UNAUTHORIZED = {"errorType": "UnauthorizedException", "message": "You are not authorized to make this call."}


def issuer(server: LiveServer) -> LocalOidcIssuer:
    assert server.runtime.oidc_issuer is not None
    return server.runtime.oidc_issuer


def post(server: LiveServer, token: str, query: str, **variables: object) -> httpx.Response:
    return httpx.post(
        server.url,
        json={"query": query, "variables": variables},
        headers={"Authorization": token},
        timeout=30,
    )


# field x mode x identity: what an OIDC caller may read, and AppSync's field refusal for the rest.
ALLOWED = {
    "listPosts": "{ listPosts(limit: 1) { items { id title author { id } } } }",
    "getProfile": 'query { getProfile(id: "nobody") { id } }',
}
DENIED = {
    ("Query", "me"): "{ me { id } }",
    ("Query", "listTodos"): "{ listTodos { items { id } } }",
    ("Query", "listMedia"): "{ listMedia { items { id } } }",
    ("Query", "listIngestionReports"): "{ listIngestionReports { items { id } } }",
    ("Mutation", "createPost"): 'mutation { createPost(input: {title: "t", body: "b", tags: []}) { id } }',
}


@pytest.mark.parametrize("field", ALLOWED)
def test_an_oidc_caller_reads_the_fields_marked_aws_oidc(live_server: LiveServer, field: str) -> None:
    # GIVEN a token of the OIDC issuer
    token = issuer(live_server).mint("partner")
    # WHEN it reads a public field
    response = post(live_server, token, ALLOWED[field])
    # THEN it gets data and no error
    assert response.status_code == 200
    assert "errors" not in response.json(), response.json()


@pytest.mark.parametrize(("type_name", "field"), list(DENIED))
def test_an_oidc_caller_is_refused_fields_without_aws_oidc(
    live_server: LiveServer, type_name: str, field: str
) -> None:
    token = issuer(live_server).mint("partner")
    response = post(live_server, token, DENIED[(type_name, field)])
    # THEN AppSync's field-level refusal: HTTP 200, the field null, errorType Unauthorized
    assert response.status_code == 200
    (error,) = response.json()["errors"]
    assert error["errorType"] == "Unauthorized"
    assert error["message"] == f"Not Authorized to access {field} on type {type_name}"


def test_a_user_pool_token_and_the_api_key_are_unchanged(live_server: LiveServer) -> None:
    # GIVEN the other modes, WHEN they read what they read before THEN nothing changed for them
    assert "errors" not in post(live_server, live_server.token("bob"), "{ me { id } }").json()
    response = httpx.post(
        live_server.url,
        json={"query": "{ listPosts(limit: 1) { items { id } } }"},
        headers={"x-api-key": live_server.api_key},
    )
    assert "errors" not in response.json()


def test_bad_oidc_tokens_get_appsyncs_401(live_server: LiveServer) -> None:
    local = issuer(live_server)
    now = time.time()
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = jwt.decode(local.mint("partner"), options={"verify_signature": False})
    cases = {
        "expired": local.mint("partner", now=now - 7200, ttl_seconds=3600),
        "forged signature": jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": local.kid}),
        "another client": local.mint("partner", audience="someone-elses-app"),
        # iat_ttl = 1 h in appsync.toml: a token issued 2 h ago is refused even though it has not expired
        "iat_ttl exceeded": local.mint("partner", now=now - 7200, ttl_seconds=86400),
    }
    for name, token in cases.items():
        response = post(live_server, token, ALLOWED["listPosts"])
        assert response.status_code == 401, name
        (error,) = response.json()["errors"]
        assert error["errorType"] == "UnauthorizedException", name
    # AND a token of another issuer, signed by a key this API never saw, is refused the same way
    foreign = jwt.encode(
        {**claims, "iss": "https://evil.example.com"}, stranger, algorithm="RS256", headers={"kid": "x"}
    )
    assert post(live_server, foreign, ALLOWED["listPosts"]).json() == {"errors": [UNAUTHORIZED]}


def test_an_oidc_token_with_an_authors_sub_does_not_see_the_authors_drafts(live_server: LiveServer) -> None:
    # GIVEN a draft by alice (a member of `authors`)
    alice = live_server.token("alice")
    created = post(
        live_server,
        alice,
        'mutation { createPost(input: {title: "secret draft", body: "b", tags: []}) { id } }',
    ).json()
    post_id = created["data"]["createPost"]["id"]
    get = "query($id: ID!) { getPost(id: $id) { id title } }"
    assert post(live_server, alice, get, id=post_id).json()["data"]["getPost"]["title"] == "secret draft"
    # WHEN an OIDC caller presents a token whose `sub` is alice's user-pool sub (an issuer may say anything)
    impostor = issuer(live_server).mint("impostor", extra_claims={"sub": live_server.sub("alice")})
    # THEN the draft does not exist for it, by id or in alice's list
    assert post(live_server, impostor, get, id=post_id).json() == {"data": {"getPost": None}}
    listed = post(
        live_server,
        impostor,
        "query($a: ID!) { listPosts(authorId: $a, limit: 100) { items { id } } }",
        a=live_server.sub("alice"),
    ).json()
    assert post_id not in {item["id"] for item in listed["data"]["listPosts"]["items"]}


def test_the_local_issuer_serves_its_discovery_document_and_keys(live_server: LiveServer) -> None:
    local = issuer(live_server)
    document = httpx.get(f"{live_server.base_url}/_local/oidc/.well-known/openid-configuration").json()
    assert document["issuer"] == live_server.runtime.config.auth.oidc.issuer  # type: ignore[union-attr]
    keys = httpx.get(document["jwks_uri"]).json()["keys"]
    # AND a token it mints verifies with those keys alone
    (key,) = [jwt.PyJWK(k) for k in keys if k["kid"] == local.kid]
    claims = jwt.decode(local.mint("partner"), key.key, algorithms=["RS256"], audience=local.default_audience)
    assert claims["iss"] == document["issuer"]
