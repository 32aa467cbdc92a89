"""Issue 12, item 1: no string a client sends can break a later read, and refusals stay short and clear."""

from __future__ import annotations

import uuid

import httpx
import pytest

from appsync_local.local_aws import LocalAws
from appsync_local.local_aws.endpoints import client
from appsync_local.text_safety import encode_json
from tests.fixtures.live_server import LiveServer

CREATE_TODO = "mutation($t:String!){createTodo(input:{title:$t}){id title}}"
LIST_TODOS = "{ listTodos(limit: 100) { items { id title } } }"
LIST_POSTS = "{ listPosts(limit: 100) { items { id title author { id name } } } }"
CREATE_POST = "mutation($input: CreatePostInput!) { createPost(input: $input) { id title body } }"
DELETE_POST = "mutation($id: ID!) { deletePost(id: $id) { id } }"
PUBLISH_POST = "mutation($id: ID!) { publishPost(id: $id) { id status } }"
UPDATE_PROFILE = "mutation($name: String) { updateProfile(input: {name: $name}) { id name } }"
BIDI_AND_NUL = [
    "\x00",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
]


def post_raw(live_server: LiveServer, body: bytes, token: str) -> httpx.Response:
    headers = {"content-type": "application/json", "authorization": token}
    return httpx.post(live_server.url, content=body, headers=headers, timeout=30)


def post(live_server: LiveServer, query: str, auth: dict[str, str], **variables: object) -> httpx.Response:
    return httpx.post(
        live_server.url, json={"query": query, "variables": variables}, headers=auth, timeout=30
    )


def user(live_server: LiveServer, name: str) -> dict[str, str]:
    return {"authorization": live_server.token(name)}


def test_a_lone_surrogate_is_refused_at_the_edge_and_never_stored(live_server: LiveServer) -> None:
    # GIVEN a user whose todos list reads fine
    username = f"surrogate-{uuid.uuid4().hex[:8]}"
    token = live_server.token(username)
    # WHEN they send a title holding a lone UTF-16 surrogate, escaped in raw JSON bytes
    body = b'{"query":"mutation($t:String!){createTodo(input:{title:$t}){id}}","variables":{"t":"a\\ud800b"}}'
    response = post_raw(live_server, body, token)
    # THEN the request is refused as malformed, naming where the bad text is
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["errorType"] == "MalformedHttpRequestException"
    assert error["message"].startswith("Invalid Unicode in variables.t")
    # AND nothing was stored: their list still reads, and is empty
    listed = post(live_server, LIST_TODOS, {"authorization": token})
    assert listed.status_code == 200
    assert listed.json()["data"]["listTodos"]["items"] == []


def test_a_lone_surrogate_in_the_query_text_is_refused(live_server: LiveServer) -> None:
    # WHEN the surrogate is an escape inside the query string itself
    body = b'{"query":"mutation{createTodo(input:{title:\\"a\\ud800b\\"}){id}}"}'
    response = post_raw(live_server, body, live_server.token("alice"))
    # THEN it is refused the same way
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].startswith("Invalid Unicode in query")


def test_a_paired_surrogate_escape_is_ordinary_text(live_server: LiveServer) -> None:
    # GIVEN an emoji written as a surrogate pair escape (valid JSON, valid Unicode)
    token = live_server.token(f"emoji-{uuid.uuid4().hex[:8]}")
    body = b'{"query":"mutation($t:String!){createTodo(input:{title:$t}){title}}","variables":{"t":"ok \\ud83d\\ude00"}}'
    # WHEN it is sent / THEN it is stored and answered as the emoji
    response = post_raw(live_server, body, token)
    assert response.status_code == 200
    assert response.json()["data"]["createTodo"]["title"] == "ok \U0001f600"


def test_a_stored_lone_surrogate_cannot_break_public_reads(
    live_server: LiveServer, local_aws: LocalAws
) -> None:
    # GIVEN a profile name holding a lone surrogate, written straight to the table (as older data or another
    # writer could have), for the author of the newest post (the first page holds it, whatever other tests wrote)
    fields = {"title": "Surrogate author", "body": "A body", "tags": []}
    created = post(live_server, CREATE_POST, user(live_server, "alice"), input=fields).json()
    post_id = created["data"]["createPost"]["id"]
    try:
        published = post(live_server, PUBLISH_POST, user(live_server, "alice"), id=post_id)
        assert published.json()["data"]["publishPost"]["status"] == "PUBLISHED", published.text
        check_public_reads_with_a_broken_name(live_server, local_aws)
    finally:  # the other suites' first page stays as they left it
        post(live_server, DELETE_POST, user(live_server, "alice"), id=post_id)


def check_public_reads_with_a_broken_name(live_server: LiveServer, local_aws: LocalAws) -> None:
    dynamodb = client(local_aws.session(), "dynamodb", local_aws.endpoints.dynamodb)
    alice = live_server.sub("alice")
    before = dynamodb.get_item(TableName="Users", Key={"id": {"S": alice}}).get("Item")
    dynamodb.update_item(
        TableName="Users",
        Key={"id": {"S": alice}},
        UpdateExpression="SET #n = :n",
        ExpressionAttributeNames={"#n": "name"},
        ExpressionAttributeValues={":n": {"S": "Al\ud800ice"}},
    )
    try:
        # WHEN anyone lists the public posts
        response = post(live_server, LIST_POSTS, {"x-api-key": live_server.api_key})
        # THEN the read succeeds, the broken character shown as U+FFFD
        assert response.status_code == 200
        names = {p["author"]["name"] for p in response.json()["data"]["listPosts"]["items"] if p["author"]}
        assert "Al\ufffdice" in names
    finally:
        if before is not None:
            dynamodb.put_item(TableName="Users", Item=before)


def test_the_response_encoder_writes_any_string() -> None:
    # GIVEN values no UTF-8 encoder accepts as they are / WHEN encoded / THEN valid UTF-8 JSON comes out
    assert (
        encode_json({"a": "x\udc80y", "b": ["\ud800"]}).decode("utf-8") == '{"a":"x\ufffdy","b":["\ufffd"]}'
    )


@pytest.mark.parametrize("character", BIDI_AND_NUL, ids=lambda c: f"U+{ord(c):04X}")
def test_nul_and_bidi_overrides_are_refused_in_todo_titles(live_server: LiveServer, character: str) -> None:
    # WHEN a todo title holds NUL or a bidi override (Lambda path)
    response = post(live_server, CREATE_TODO, user(live_server, "alice"), t=f"invoice{character}fdp.exe")
    # THEN the app's validation refuses it, saying why
    assert response.status_code == 200
    (error,) = response.json()["errors"]
    assert error["errorType"] == "ValidationError"
    assert error["message"].startswith("title must not contain NUL or bidirectional-override characters")
    assert f"U+{ord(character):04X}" in error["message"]


def test_nul_and_bidi_overrides_are_refused_in_profile_names(live_server: LiveServer) -> None:
    response = post(live_server, UPDATE_PROFILE, user(live_server, "bob"), name="bob\u202egnp.exe")
    (error,) = response.json()["errors"]
    assert error["errorType"] == "ValidationError"
    assert error["message"].startswith("name must not contain NUL or bidirectional-override characters")


@pytest.mark.parametrize("field", ["title", "body"])
@pytest.mark.parametrize("character", ["\x00", "\u202e", "\u2066"], ids=lambda c: f"U+{ord(c):04X}")
def test_nul_and_bidi_overrides_are_refused_in_posts(
    live_server: LiveServer, field: str, character: str
) -> None:
    # WHEN a post's title or body holds NUL or a bidi override (APPSYNC_JS path)
    fields = {"title": "A title", "body": "A body", "tags": []}
    fields[field] = f"before{character}after"
    response = post(live_server, CREATE_POST, user(live_server, "alice"), input=fields)
    # THEN the JS validation refuses it with the same words as the Lambda path
    (error,) = response.json()["errors"]
    assert error["errorType"] == "ValidationError"
    assert error["message"].startswith(f"{field} must not contain NUL or bidirectional-override characters")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "file:///etc/passwd",
        "vbscript:x",
    ],
)
def test_awsurl_refuses_schemes_appsync_refuses(live_server: LiveServer, url: str) -> None:
    # WHEN a post's photoUrl uses a script or data scheme
    fields = {"title": "A title", "body": "A body", "tags": [], "photoUrl": url}
    response = post(live_server, CREATE_POST, user(live_server, "alice"), input=fields)
    # THEN variable validation refuses it before any resolver runs, in AppSync's words
    (error,) = response.json()["errors"]
    assert "errorType" not in error
    assert error["message"].startswith("Variable 'input' has an invalid value. Unable to parse `")
    assert error["message"].endswith("` as a valid AWSURL.")


def test_a_refused_megabyte_value_is_not_echoed_back(live_server: LiveServer) -> None:
    # WHEN a 1 MB value fails a scalar's validation
    huge = "x" * 1_000_000
    fields = {"title": "A title", "body": "A body", "tags": [], "photoUrl": huge}
    response = post(live_server, CREATE_POST, user(live_server, "alice"), input=fields)
    # THEN the error quotes a short prefix and the length, not the whole value
    (error,) = response.json()["errors"]
    assert "errorType" not in error
    assert "(1000000 characters)" in error["message"]
    assert len(response.content) < 2_000
