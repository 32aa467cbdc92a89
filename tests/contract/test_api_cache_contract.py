"""AppSync's API cache on the project's API (appsync.toml `[api.cache]`), through real HTTP: hits, keys per
caller, evictions by the blog's mutations, and subscriptions untouched."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from tests.contract.clients import api_key_client, run, user_client
from tests.contract.test_app_subscriptions import ON_CREATE_POST, api_key_auth, subscribed
from tests.contract.test_blog_contract import CREATE, DELETE, GET, LIST, PUBLISH, UPDATE, data_source_calls
from tests.fixtures.live_server import LiveServer

FEED = "query($limit: Int) { listPosts(limit: $limit) { items { id title } nextToken } }"
TODOS = "query { listTodos(limit: 100) { items { id title ownerId } } }"
CREATE_TODO = "mutation($t: String!) { createTodo(input: {title: $t}) { id } }"


def post(live: LiveServer, query: str, headers: dict[str, str], **variables: Any) -> dict[str, Any]:
    """The whole response body (gql does not hand back `extensions`)."""
    response = httpx.post(
        live.url, json={"query": query, "variables": variables}, headers=headers, timeout=30
    )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def todos_invocations(live: LiveServer) -> set[str]:
    return {r.request_id for r in live.runtime.observer.log.newest() if r.function == "todos"}


def test_a_repeated_public_read_is_answered_from_the_cache(live_server: LiveServer) -> None:
    # GIVEN a public reader who read the feed once
    public = api_key_client(live_server.url, live_server.api_key)
    first = run(public, FEED, limit=7)
    # WHEN they read it again
    before = data_source_calls(live_server)
    again = run(public, FEED, limit=7)
    # THEN the answer is the same and no data source was asked (the pipeline did not run)
    assert again == first
    assert data_source_calls(live_server) == before


def test_a_new_post_is_in_the_cached_feed_at_once(live_server: LiveServer) -> None:
    # GIVEN the feed's first page cached as readers ask for it (no limit, and the site's 20), and an author
    public = api_key_client(live_server.url, live_server.api_key)
    key = {"x-api-key": live_server.api_key}
    run(public, FEED)
    run(public, FEED, limit=20)
    username = f"cache-{uuid.uuid4().hex[:8]}"
    token = live_server.token(username, groups=["authors"])
    author = user_client(live_server.url, token)
    draft = run(author, CREATE, input={"title": "Fresh", "body": "News.", "tags": []})["createPost"]
    assert draft["id"] not in {p["id"] for p in run(public, FEED)["listPosts"]["items"]}
    # WHEN the author publishes it
    published = post(live_server, PUBLISH, {"authorization": token}, id=draft["id"])
    # THEN the mutation says it evicted cached entries, and every reader of the first page sees the post at once
    assert published["extensions"]["apiCacheEntriesDeleted"] >= 1
    assert run(public, FEED)["listPosts"]["items"][0]["id"] == draft["id"]
    assert run(public, FEED, limit=20)["listPosts"]["items"][0]["id"] == draft["id"]
    # AND an edit and a deletion show at once too, by id
    assert post(live_server, GET, key, id=draft["id"])["data"]["getPost"]["title"] == "Fresh"
    run(author, UPDATE, input={"id": draft["id"], "title": "Fresher"})
    assert run(public, GET, id=draft["id"])["getPost"]["title"] == "Fresher"
    run(author, DELETE, id=draft["id"])
    assert run(public, GET, id=draft["id"]) == {"getPost": None}
    assert draft["id"] not in {p["id"] for p in run(public, FEED)["listPosts"]["items"]}


def test_a_draft_cached_for_its_author_never_reaches_anyone_else(live_server: LiveServer) -> None:
    # GIVEN an author who read their draft (cached for them) and their own listing
    username = f"cache-{uuid.uuid4().hex[:8]}"
    author = user_client(live_server.url, live_server.token(username, groups=["authors"]))
    draft = run(author, CREATE, input={"title": "Secret", "body": "Draft.", "tags": []})["createPost"]
    assert run(author, GET, id=draft["id"])["getPost"]["title"] == "Secret"
    assert [p["id"] for p in run(author, LIST, authorId=draft["authorId"])["listPosts"]["items"]] == [
        draft["id"]
    ]
    # WHEN an API key caller, another signed-in user and the author again ask the same
    public = api_key_client(live_server.url, live_server.api_key)
    bob = user_client(live_server.url, live_server.token("bob"))
    # THEN only the author gets it: API key and Cognito callers never share an entry keyed on the caller
    for other in (public, bob):
        assert run(other, GET, id=draft["id"]) == {"getPost": None}
        assert run(other, LIST, authorId=draft["authorId"])["listPosts"]["items"] == []
    assert run(author, GET, id=draft["id"])["getPost"]["title"] == "Secret"


def test_todos_are_cached_per_caller(live_server: LiveServer) -> None:
    # GIVEN alice and bob, each with a todo of their own, and alice's list cached
    alice = user_client(live_server.url, live_server.token("alice"))
    bob = user_client(live_server.url, live_server.token("bob"))
    run(alice, CREATE_TODO, t=f"alice {uuid.uuid4().hex[:6]}")
    run(bob, CREATE_TODO, t=f"bob {uuid.uuid4().hex[:6]}")
    alices = run(alice, TODOS)
    # WHEN alice asks again at once, and bob asks the very same query
    seen = todos_invocations(live_server)
    again = run(alice, TODOS)
    hit = todos_invocations(live_server) - seen
    bobs = run(bob, TODOS)
    # THEN alice's second read was answered without invoking the todos function
    assert again == alices and hit == set()
    # AND bob never gets alice's cached list: only his own todos
    owners = {t["ownerId"] for t in bobs["listTodos"]["items"]}
    assert owners == {live_server.sub("bob")}
    assert owners.isdisjoint({t["ownerId"] for t in alices["listTodos"]["items"]})


async def test_subscriptions_are_untouched_by_the_cache(live_server: LiveServer) -> None:
    # GIVEN a public subscriber and a cached feed
    public = api_key_client(live_server.url, live_server.api_key)
    await asyncio.to_thread(run, public, FEED)
    author = user_client(
        live_server.url, live_server.token(f"cache-{uuid.uuid4().hex[:8]}", groups=["authors"])
    )
    async with subscribed(live_server, api_key_auth(live_server), ON_CREATE_POST) as subscriber:
        # WHEN a post is created and published (onCreatePost delivers published posts only)
        created = await asyncio.to_thread(
            run, author, CREATE, input={"title": "Live", "body": "Now.", "tags": []}
        )
        await asyncio.to_thread(run, author, PUBLISH, id=created["createPost"]["id"])
        # THEN the subscriber receives it, as without a cache, and the feed shows it too
        event = await subscriber.next()
    assert event["onCreatePost"]["id"] == created["createPost"]["id"]
    feed = await asyncio.to_thread(run, public, FEED)
    assert feed["listPosts"]["items"][0]["id"] == created["createPost"]["id"]
