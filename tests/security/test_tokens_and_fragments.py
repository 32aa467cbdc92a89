"""Issue 12, item 7: opaque nextTokens that page over visible posts, subscriptions through fragments, and
tokens with claims Cognito never issues."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from websockets.asyncio.client import ClientConnection, connect

from appsync_local.auth.storage import auth_dir, load_or_create_rsa_key
from tests.fixtures.live_server import LiveServer

CREATE_POST = "mutation($input: CreatePostInput!) { createPost(input: $input) { id } }"
PUBLISH_POST = "mutation($id: ID!) { publishPost(id: $id) { id } }"
LIST_BY_AUTHOR = """query($authorId: ID, $nextToken: String) {
  listPosts(authorId: $authorId, limit: 1, nextToken: $nextToken) { items { id status } nextToken }
}"""
TIMEOUT = 10.0


def graphql(live_server: LiveServer, query: str, auth: dict[str, str], **variables: Any) -> httpx.Response:
    return httpx.post(
        live_server.url, json={"query": query, "variables": variables}, headers=auth, timeout=30
    )


def data(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert "errors" not in body, body
    return dict(body["data"])


def readable(token: str) -> str:
    """Whatever text a client could get out of a token by base64-decoding it."""
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("latin-1")
    except (binascii.Error, ValueError):
        return ""


@pytest.fixture(scope="module")
def author_with_drafts(live_server: LiveServer) -> tuple[str, list[str], list[str]]:
    """A new author: three published posts, then three newer drafts (the newest first in a listing)."""
    name = f"author-{uuid.uuid4().hex[:8]}"
    auth = {"authorization": live_server.token(name, groups=["authors"])}
    published, drafts = [], []
    for index in range(3):
        post = data(
            graphql(live_server, CREATE_POST, auth, input={"title": f"p{index}", "body": "b", "tags": []})
        )
        data(graphql(live_server, PUBLISH_POST, auth, id=post["createPost"]["id"]))
        published.append(post["createPost"]["id"])
    for index in range(3):
        post = data(
            graphql(live_server, CREATE_POST, auth, input={"title": f"d{index}", "body": "b", "tags": []})
        )
        drafts.append(post["createPost"]["id"])
    return live_server.sub(name), published, drafts


def test_paging_an_authors_posts_counts_visible_posts_and_tokens_hide_drafts(
    live_server: LiveServer, author_with_drafts: tuple[str, list[str], list[str]]
) -> None:
    # GIVEN an author whose three newest posts are drafts, listed by someone else one post at a time
    author_id, published, drafts = author_with_drafts
    reader = {"x-api-key": live_server.api_key}
    pages: list[list[str]] = []
    tokens: list[str] = []
    token = None
    # WHEN the reader follows nextToken to the end
    while True:
        page = data(graphql(live_server, LIST_BY_AUTHOR, reader, authorId=author_id, nextToken=token))[
            "listPosts"
        ]
        pages.append([item["id"] for item in page["items"]])
        token = page["nextToken"]
        if token is None:
            break
        tokens.append(token)
    # THEN every page but a last empty one holds one published post, newest first, and no draft
    full = [p for p in pages if p]
    assert full == [[post_id] for post_id in reversed(published)]
    assert pages[len(full) :] in ([], [[]])
    # AND no token reveals an id (a draft's or any other) to whoever decodes it
    for seen in tokens:
        for post_id in drafts + published:
            assert post_id not in seen and post_id not in readable(seen)


def test_an_edited_token_is_refused(
    live_server: LiveServer, author_with_drafts: tuple[str, list[str], list[str]]
) -> None:
    # GIVEN a real token
    author_id, _, _ = author_with_drafts
    reader = {"x-api-key": live_server.api_key}
    token = data(graphql(live_server, LIST_BY_AUTHOR, reader, authorId=author_id))["listPosts"]["nextToken"]
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[-1] ^= 1
    edited = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    # WHEN one bit of it is changed / THEN AppSync's pagination error comes back
    body = graphql(live_server, LIST_BY_AUTHOR, reader, authorId=author_id, nextToken=edited).json()
    (error,) = body["errors"]
    assert error["errorType"] == "DynamoDB:UserIllegalArgumentException"
    assert error["message"].startswith("Invalid pagination token given.")


# -- subscriptions through fragments ---------------------------------------------------------------


def _header(live_server: LiveServer) -> dict[str, str]:
    return {"host": live_server.host, "x-api-key": live_server.api_key}


async def _receive(ws: ClientConnection) -> dict[str, Any]:
    async def next_message() -> dict[str, Any]:
        while True:
            message = json.loads(await ws.recv())
            if message.get("type") != "ka":
                return dict(message)

    return await asyncio.wait_for(next_message(), TIMEOUT)


async def _start(
    ws: ClientConnection, live_server: LiveServer, sub_id: str, query: str, raw_data: str | None = None
) -> dict[str, Any]:
    payload = {
        "data": raw_data if raw_data is not None else json.dumps({"query": query, "variables": {}}),
        "extensions": {"authorization": _header(live_server)},
    }
    await ws.send(json.dumps({"id": sub_id, "type": "start", "payload": payload}))
    return await _receive(ws)


async def _connection(live_server: LiveServer) -> ClientConnection:
    header = base64.b64encode(json.dumps(_header(live_server)).encode()).decode()
    url = f"{live_server.ws_url}?header={header}&payload=e30="
    ws = await connect(url, subprotocols=["graphql-ws"], proxy=None)  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init"}))
    assert (await _receive(ws))["type"] == "connection_ack"
    return ws


@pytest.mark.parametrize(
    "query",
    [
        "subscription S { ...F } fragment F on Subscription { onCreatePost { id title } }",
        "subscription S { ... on Subscription { onCreatePost { id title } } }",
        "subscription S { ...F onCreatePost { id } } fragment F on Subscription { onCreatePost { title } }",
    ],
    ids=["spread", "inline", "merged"],
)
async def test_a_subscription_selected_through_a_fragment_starts_and_delivers(
    live_server: LiveServer, query: str
) -> None:
    ws = await _connection(live_server)
    try:
        # WHEN a subscription's field is selected through a fragment
        sub_id = str(uuid.uuid4())
        answer = await _start(ws, live_server, sub_id, query)
        # THEN it starts
        assert answer == {"type": "start_ack", "id": sub_id}
        # AND a published post reaches it with the fields the fragments select
        # (a new author's post: the contract suite's listings of alice's posts stay as seeded)
        author = f"fragments-{uuid.uuid4().hex[:8]}"
        auth = {"authorization": live_server.token(author, groups=["authors"])}
        post = await asyncio.to_thread(
            graphql,
            live_server,
            "mutation($input: CreatePostInput!) { createPost(input: $input) { id title status authorId } }",
            auth,
            input={"title": "through a fragment", "body": "b", "tags": []},
        )
        created = data(post)["createPost"]
        published = await asyncio.to_thread(
            graphql,
            live_server,
            "mutation($id: ID!) { publishPost(id: $id) { id title status authorId } }",
            auth,
            id=created["id"],
        )
        data(published)
        message = await _receive(ws)
        assert message["type"] == "data" and message["id"] == sub_id
        assert message["payload"]["data"]["onCreatePost"]["title"] == "through a fragment"
    finally:
        await ws.close()


async def test_realtime_errors_name_the_subscription(live_server: LiveServer) -> None:
    ws = await _connection(live_server)
    try:
        # WHEN a start carries a lone surrogate in its variables
        sub_id = str(uuid.uuid4())
        raw = '{"query":"subscription { onCreatePost { id } }","variables":{"x":"a\\ud800"}}'
        answer = await _start(ws, live_server, sub_id, "", raw_data=raw)
        # THEN the error is a clear refusal that names the subscription it answers
        assert answer["type"] == "error" and answer["id"] == sub_id
        (error,) = answer["payload"]["errors"]
        assert error["errorType"] == "BadRequestException"
        assert error["message"].startswith("Invalid Unicode in payload.data.variables.x")
    finally:
        await ws.close()


# -- tokens with claims Cognito never issues -------------------------------------------------------


def _resigned(live_server: LiveServer, **changes: Any) -> str:
    """A token of the local pool with some claims changed, validly signed with the pool's own key."""
    assert live_server.runtime.config.cognito is not None and live_server.runtime.user_pool is not None
    pool_id = live_server.runtime.config.cognito.user_pool_id
    key = load_or_create_rsa_key(auth_dir(live_server.runtime_data_dir) / f"user_pool_{pool_id}.pem")
    claims = jwt.decode(live_server.token("alice"), options={"verify_signature": False}) | changes
    headers = {"kid": live_server.runtime.user_pool.kid, "typ": None}
    return jwt.encode(claims, key, algorithm="RS256", headers=headers)


@pytest.mark.parametrize(
    "changes",
    [
        {"aud": ["local-web-client"]},
        {"aud": None},
        {"exp": str(int(time.time()) + 3600)},
        {"exp": "never"},
        {"iat": str(int(time.time()))},
    ],
    ids=["aud-list", "aud-null", "exp-numeric-string", "exp-text", "iat-string"],
)
def test_tokens_with_claims_cognito_never_issues_are_unauthorized(
    live_server: LiveServer, changes: dict[str, Any]
) -> None:
    assert live_server.runtime.user_pool is not None
    if "aud" in changes and changes["aud"] is not None:
        changes = {"aud": [live_server.runtime.user_pool.client_id]}
    # WHEN a validly signed token carries such a claim
    token = _resigned(live_server, **changes)
    response = graphql(live_server, "{ listTodos { items { id } } }", {"authorization": token})
    # THEN it is refused as AppSync refuses an unverifiable token: 401, never a 500
    assert response.status_code == 401
    (error,) = response.json()["errors"]
    assert error["errorType"] == "UnauthorizedException"


def test_the_resigned_token_is_accepted_unchanged(live_server: LiveServer) -> None:
    # GIVEN the same re-signing with no change / THEN it is accepted (the refusals above are the claims')
    response = graphql(
        live_server, "{ listTodos { items { id } } }", {"authorization": _resigned(live_server)}
    )
    assert response.status_code == 200 and "errors" not in response.json()
