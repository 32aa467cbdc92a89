"""The todos Lambda handler end to end: AppSync events in, DynamoDB Local and moto's S3 behind it."""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
import requests

from resolvers.todos.domain.errors import ConflictError, NotFoundError, UnauthorizedError, ValidationError
from resolvers.todos.handler import lambda_handler

EVENTS = Path(__file__).parent / "events"
BUCKET = "user-files"


@dataclass
class FakeLambdaContext:
    """What Lambda passes as the context object, with the attributes Powertools reads."""

    function_name: str = "todos"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:todos"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/todos"
    log_stream_name: str = "2024/05/01/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@dataclass(frozen=True)
class User:
    """A signed-in user pool user with a sub of its own, so tests never share data."""

    sub: str
    username: str


def load_event(name: str) -> Any:
    """An AppSync Lambda event (or, for BatchInvoke, a list of them) from tests/functional/events."""
    return json.loads((EVENTS / name).read_text())


def as_user(event: dict[str, Any], user: User) -> dict[str, Any]:
    """``event`` as sent for ``user``: the Cognito identity's sub and username replaced."""
    event = copy.deepcopy(event)
    event["identity"]["sub"] = event["identity"]["claims"]["sub"] = user.sub
    event["identity"]["username"] = event["identity"]["claims"]["cognito:username"] = user.username
    event["identity"]["claims"]["email"] = f"{user.username}@example.com"
    return event


def invoke(name: str, user: User | None, **arguments: Any) -> Any:
    """Call the handler with event file ``name`` sent by ``user`` with these arguments."""
    event = load_event(name)
    if user is not None:
        event = as_user(event, user)
    event["arguments"] = arguments
    event["info"]["variables"] = copy.deepcopy(arguments)
    return lambda_handler(event, FakeLambdaContext())


def new_user(username: str) -> User:
    return User(sub=str(uuid.uuid4()), username=username)


@pytest.fixture
def todos_env(local_aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The todos function's environment, as appsync.toml sets it."""
    monkeypatch.setenv("TODOS_TABLE", "Todos")
    monkeypatch.setenv("USERS_TABLE", "Users")
    monkeypatch.setenv("USER_FILES_BUCKET", BUCKET)
    monkeypatch.setenv("UPLOAD_URL_TTL_SECONDS", "300")


pytestmark = pytest.mark.usefixtures("todos_env")


def test_todo_lifecycle_with_optimistic_locking() -> None:
    # GIVEN alice
    alice = new_user("alice")

    # WHEN she creates a todo (the event as AppSync sends it)
    created = lambda_handler(as_user(load_event("create_todo.json"), alice), FakeLambdaContext())

    # THEN it is hers, at version 1
    assert created["ownerId"] == alice.sub
    assert (created["title"], created["done"], created["version"]) == ("Write the quarterly report", False, 1)
    assert created["dueDate"] == "2024-06-30"
    assert created["createdAt"].endswith("Z") and len(created["createdAt"]) == len("2024-05-01T12:00:00.000Z")

    # WHEN she reads it back
    assert invoke("get_todo.json", alice, id=created["id"]) == created

    # WHEN she updates it from version 1
    update = as_user(load_event("update_todo.json"), alice)
    update["arguments"]["input"]["id"] = created["id"]
    updated = lambda_handler(update, FakeLambdaContext())

    # THEN the change is stored at version 2
    assert (updated["done"], updated["version"]) == (True, 2)
    assert updated["title"] == "Write and send the quarterly report"
    assert updated["description"] == "Numbers from finance first"

    # WHEN the same (now stale) update is sent again
    with pytest.raises(ConflictError) as conflict:
        lambda_handler(update, FakeLambdaContext())

    # THEN the ConflictError names both versions, and nothing changed
    assert "expected version 1" in str(conflict.value)
    assert "version 2" in str(conflict.value)
    assert invoke("get_todo.json", alice, id=created["id"])["version"] == 2

    # WHEN she deletes it
    deleted = invoke("delete_todo.json", alice, id=created["id"])

    # THEN the old item comes back and the todo is gone
    assert deleted["id"] == created["id"] and deleted["version"] == 2
    assert invoke("get_todo.json", alice, id=created["id"]) is None
    with pytest.raises(NotFoundError):
        invoke("delete_todo.json", alice, id=created["id"])


def test_another_user_cannot_read_change_or_delete_a_todo() -> None:
    # GIVEN alice's todo
    alice, bob = new_user("alice"), new_user("bob")
    todo = invoke("create_todo.json", alice, input={"title": "Alice's secret"})

    # WHEN bob uses its id THEN it does not exist for him
    assert invoke("get_todo.json", bob, id=todo["id"]) is None
    with pytest.raises(NotFoundError):
        invoke("update_todo.json", bob, input={"id": todo["id"], "expectedVersion": 1, "title": "Bob's now"})
    with pytest.raises(NotFoundError):
        invoke("delete_todo.json", bob, id=todo["id"])

    # AND alice's todo is unchanged
    assert invoke("get_todo.json", alice, id=todo["id"]) == todo


def test_updating_a_missing_todo_is_not_found() -> None:
    # GIVEN / WHEN / THEN
    with pytest.raises(NotFoundError):
        invoke("update_todo.json", new_user("alice"), input={"id": str(uuid.uuid4()), "expectedVersion": 1})


def test_bad_input_is_a_validation_error() -> None:
    # GIVEN alice WHEN she sends an empty or too long title THEN the error says what is wrong
    alice = new_user("alice")
    with pytest.raises(ValidationError, match="title must not be empty"):
        invoke("create_todo.json", alice, input={"title": "   "})
    with pytest.raises(ValidationError, match="at most 200"):
        invoke("create_todo.json", alice, input={"title": "x" * 201})


def test_list_todos_pages_newest_first_with_a_caller_bound_token() -> None:
    # GIVEN five todos of alice's, two of them done, and one of bob's
    alice, bob = new_user("alice"), new_user("bob")
    ids = [invoke("create_todo.json", alice, input={"title": f"Todo {n}"})["id"] for n in range(5)]
    for todo_id in ids[:2]:
        invoke("update_todo.json", alice, input={"id": todo_id, "expectedVersion": 1, "done": True})
    invoke("create_todo.json", bob, input={"title": "Bob's"})

    # WHEN she pages through everything two at a time
    pages, token = [], None
    while True:
        page = invoke("list_todos.json", alice, limit=2, nextToken=token)
        pages.append(page)
        token = page["nextToken"]
        if token is None:
            break

    # THEN she sees each of her todos once, newest first, in pages of at most two
    items = [item for page in pages for item in page["items"]]
    assert sorted(item["id"] for item in items) == sorted(ids)
    assert [item["createdAt"] for item in items] == sorted(
        (item["createdAt"] for item in items), reverse=True
    )
    assert all(len(page["items"]) <= 2 for page in pages)

    # AND the event's own filter (done: false, limit 2) gives full pages of open todos
    open_page = lambda_handler(as_user(load_event("list_todos.json"), alice), FakeLambdaContext())
    assert len(open_page["items"]) == 2 and not any(item["done"] for item in open_page["items"])
    rest = invoke("list_todos.json", alice, filter={"done": False}, limit=2, nextToken=open_page["nextToken"])
    assert {i["id"] for i in open_page["items"] + rest["items"]} == set(ids[2:])

    # AND bob cannot use alice's token, and a made-up token is refused
    first = invoke("list_todos.json", alice, limit=1)
    with pytest.raises(ValidationError, match="Invalid nextToken"):
        invoke("list_todos.json", bob, nextToken=first["nextToken"])
    with pytest.raises(ValidationError, match="Invalid nextToken"):
        invoke("list_todos.json", alice, nextToken="bm90LWEtdG9rZW4")


def test_list_todos_limit_is_clamped() -> None:
    # GIVEN three todos
    alice = new_user("alice")
    for n in range(3):
        invoke("create_todo.json", alice, input={"title": f"Todo {n}"})
    # WHEN asking for 0 or 1000 THEN at least one and at most all come back
    assert len(invoke("list_todos.json", alice, limit=0)["items"]) == 1
    assert len(invoke("list_todos.json", alice, limit=1000)["items"]) == 3


def test_me_creates_the_profile_and_update_profile_changes_it() -> None:
    # GIVEN alice has never called
    alice = new_user("alice")

    # WHEN she asks who she is, twice
    first = lambda_handler(as_user(load_event("me.json"), alice), FakeLambdaContext())
    second = lambda_handler(as_user(load_event("me.json"), alice), FakeLambdaContext())

    # THEN her profile was created from the token once
    assert (first["id"], first["username"], first["email"]) == (alice.sub, "alice", "alice@example.com")
    assert second == first

    # WHEN she updates her profile
    updated = lambda_handler(as_user(load_event("update_profile.json"), alice), FakeLambdaContext())

    # THEN the given fields changed, and anyone (even with only an API key) sees the public side
    assert (updated["name"], updated["bio"]) == ("Alice Liddell", "Curiouser and curiouser")
    public = invoke("get_profile_api_key.json", None, id=alice.sub)
    assert public == {"id": alice.sub, "name": "Alice Liddell", "bio": "Curiouser and curiouser"}
    assert invoke("get_profile_api_key.json", None, id=str(uuid.uuid4())) is None


def test_user_fields_need_a_signed_in_user() -> None:
    # GIVEN an API-key request (no identity) for a user-only field WHEN / THEN
    event = load_event("get_profile_api_key.json")
    event["info"]["fieldName"], event["info"]["parentTypeName"] = "me", "Query"
    event["arguments"] = {}
    with pytest.raises(UnauthorizedError):
        lambda_handler(event, FakeLambdaContext())


def test_todo_owner_batch_invoke_returns_profiles_in_order() -> None:
    # GIVEN alice and bob with profiles, and a page of todos by bob, alice and someone without a profile
    alice, bob = new_user("alice"), new_user("bob")
    invoke("update_profile.json", alice, input={"name": "Alice"})
    invoke("update_profile.json", bob, input={"name": "Bob", "bio": "Builds"})
    batch = load_event("todo_owner_batch.json")
    owners = [bob.sub, alice.sub, str(uuid.uuid4())]
    for event, owner in zip(batch, owners, strict=True):
        event["source"]["ownerId"] = owner

    # WHEN AppSync sends the whole page as one BatchInvoke
    result = lambda_handler(batch, FakeLambdaContext())

    # THEN one list comes back, one entry per event, in the same order
    assert result == [
        {"id": bob.sub, "name": "Bob", "bio": "Builds"},
        {"id": alice.sub, "name": "Alice", "bio": None},
        None,
    ]


def test_presigned_upload_and_download_round_trip_inside_the_callers_folder() -> None:
    # GIVEN alice
    alice = new_user("alice")

    # WHEN she asks for an upload URL (the event as AppSync sends it) and PUTs a file to it
    upload = lambda_handler(as_user(load_event("create_file_upload_url.json"), alice), FakeLambdaContext())
    put = requests.put(
        upload["url"], data=b"\x89PNG fake image", headers={"Content-Type": "image/png"}, timeout=10
    )

    # THEN the upload succeeds, into users/<her sub>/ and nowhere else
    assert put.status_code == 200, put.text
    assert (upload["key"], upload["method"]) == ("avatar.png", "PUT")
    assert upload["expiresAt"].endswith("Z")
    assert urlsplit(upload["url"]).path == f"/{BUCKET}/users/{alice.sub}/avatar.png"
    stored = boto3.client("s3").get_object(Bucket=BUCKET, Key=f"users/{alice.sub}/avatar.png")
    assert stored["Body"].read() == b"\x89PNG fake image"

    # WHEN she asks for a download URL for the same key
    download = invoke("file_download_url.json", alice, key="avatar.png")

    # THEN it returns the bytes she uploaded
    assert download["method"] == "GET"
    got = requests.get(download["url"], timeout=10)
    assert got.status_code == 200
    assert got.content == b"\x89PNG fake image"


@pytest.mark.parametrize("file_name", ["../someone-else/avatar.png", "a/b.png", "..", "", "bad\x07name"])
def test_upload_names_cannot_leave_the_callers_folder(file_name: str) -> None:
    # GIVEN / WHEN / THEN
    with pytest.raises(ValidationError, match="fileName"):
        invoke("create_file_upload_url.json", new_user("alice"), fileName=file_name)
    with pytest.raises(ValidationError, match="key"):
        invoke("file_download_url.json", new_user("alice"), key=file_name)
