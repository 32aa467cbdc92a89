"""The users/todos API through real HTTP with gql, for each auth mode: what a client app sees."""

from __future__ import annotations

import urllib.parse
import uuid

import httpx
import pytest
from gql.transport.exceptions import TransportQueryError

from tests.contract.clients import api_key_client, iam_client, run, run_async, user_client
from tests.fixtures.live_server import LiveServer

CREATE = """
mutation Create($input: CreateTodoInput!) {
  createTodo(input: $input) { id ownerId title description done dueDate version createdAt updatedAt }
}"""
UPDATE = """
mutation Update($input: UpdateTodoInput!) { updateTodo(input: $input) { id title done version } }"""
GET = "query Get($id: ID!) { getTodo(id: $id) { id title } }"
DELETE = "mutation Delete($id: ID!) { deleteTodo(id: $id) { id } }"
LIST = """
query List($filter: TodoFilterInput, $limit: Int, $nextToken: String) {
  listTodos(filter: $filter, limit: $limit, nextToken: $nextToken) { items { id title done owner { id name } } nextToken }
}"""


def errors_of(exc: pytest.ExceptionInfo[TransportQueryError]) -> list[dict]:
    return list(exc.value.errors or [])


@pytest.fixture
def alice(live_server: LiveServer):
    return user_client(live_server.url, live_server.token("alice"))


@pytest.fixture
def bob(live_server: LiveServer):
    return user_client(live_server.url, live_server.token("bob"))


def new_user(live_server: LiveServer):
    """A user of their own, so tests that count todos see only theirs."""
    return user_client(live_server.url, live_server.token(f"user-{uuid.uuid4().hex[:8]}"))


def test_me_creates_the_profile_on_first_call(live_server: LiveServer) -> None:
    name = f"user-{uuid.uuid4().hex[:8]}"
    client = user_client(live_server.url, live_server.token(name))
    me = run(client, "{ me { id username createdAt } }")["me"]
    assert me["id"] == live_server.sub(name)
    assert me["username"] == name
    again = run(client, "{ me { id createdAt } }")["me"]
    assert again["createdAt"] == me["createdAt"]


def test_update_profile_and_read_it_publicly(live_server: LiveServer) -> None:
    client = new_user(live_server)
    me = run(client, 'mutation { updateProfile(input: {name: "Zed", bio: "hi"}) { id name bio } }')
    profile = me["updateProfile"]
    assert (profile["name"], profile["bio"]) == ("Zed", "hi")
    public = api_key_client(live_server.url, live_server.api_key)
    assert run(public, "query($id: ID!) { getProfile(id: $id) { name } }", id=profile["id"]) == {
        "getProfile": {"name": "Zed"}
    }


def test_todo_lifecycle_with_optimistic_locking(alice) -> None:
    # GIVEN a new todo
    todo = run(alice, CREATE, input={"title": "Buy milk", "dueDate": "2026-12-01"})["createTodo"]
    assert (todo["version"], todo["done"], todo["dueDate"]) == (1, False, "2026-12-01")
    # WHEN it is updated at the version it was read at
    updated = run(alice, UPDATE, input={"id": todo["id"], "expectedVersion": 1, "done": True})["updateTodo"]
    assert (updated["done"], updated["version"]) == (True, 2)
    # THEN a second writer still holding version 1 gets a ConflictError and changes nothing
    with pytest.raises(TransportQueryError) as stale:
        run(alice, UPDATE, input={"id": todo["id"], "expectedVersion": 1, "title": "Lost update"})
    (error,) = errors_of(stale)
    assert error["errorType"] == "ConflictError"
    assert error["path"] == ["updateTodo"]
    assert run(alice, GET, id=todo["id"])["getTodo"]["title"] == "Buy milk"
    # AND it can be deleted once, then it is gone
    assert run(alice, DELETE, id=todo["id"])["deleteTodo"]["id"] == todo["id"]
    assert run(alice, GET, id=todo["id"])["getTodo"] is None


def test_owner_isolation_matrix(alice, bob) -> None:
    # GIVEN alice's todo
    todo = run(alice, CREATE, input={"title": "Alice's secret"})["createTodo"]
    # THEN bob cannot read it, and cannot tell it from a todo that does not exist
    assert run(bob, GET, id=todo["id"]) == {"getTodo": None}
    assert todo["id"] not in {t["id"] for t in run(bob, LIST, limit=100)["listTodos"]["items"]}
    missing = str(uuid.uuid4())
    for operation, variables in [
        (UPDATE, {"input": {"id": todo["id"], "expectedVersion": 1, "title": "pwned"}}),
        (DELETE, {"id": todo["id"]}),
    ]:
        with pytest.raises(TransportQueryError) as theirs:
            run(bob, operation, **variables)
        ghost = {"input": {**variables["input"], "id": missing}} if "input" in variables else {"id": missing}
        with pytest.raises(TransportQueryError) as nobodys:
            run(bob, operation, **ghost)
        assert errors_of(theirs)[0]["errorType"] == errors_of(nobodys)[0]["errorType"] == "NotFoundError"
        # the same words, naming only the id the caller sent
        assert errors_of(theirs)[0]["message"].replace(todo["id"], "ID") == errors_of(nobodys)[0][
            "message"
        ].replace(missing, "ID")
    # AND alice's todo is untouched
    assert run(alice, GET, id=todo["id"])["getTodo"]["title"] == "Alice's secret"


def test_list_paginates_filters_and_batches_the_owner(live_server: LiveServer) -> None:
    client = new_user(live_server)
    me = run(client, "{ me { id } }")["me"]
    for i in range(5):
        run(client, CREATE, input={"title": f"todo {i}"})
    first = run(client, LIST, limit=2)["listTodos"]
    assert [t["title"] for t in first["items"]] == ["todo 4", "todo 3"]  # newest first
    assert first["nextToken"]
    second = run(client, LIST, limit=2, nextToken=first["nextToken"])["listTodos"]
    assert [t["title"] for t in second["items"]] == ["todo 2", "todo 1"]
    # owner is resolved for every item (one BatchInvoke per page)
    assert {t["owner"]["id"] for t in first["items"]} == {me["id"]}
    assert run(client, LIST, filter={"done": True})["listTodos"]["items"] == []


def test_a_nextToken_from_another_user_is_refused(live_server: LiveServer, alice) -> None:
    for i in range(3):
        run(alice, CREATE, input={"title": f"page {i}"})
    token = run(alice, LIST, limit=1)["listTodos"]["nextToken"]
    with pytest.raises(TransportQueryError) as refused:
        run(new_user(live_server), LIST, limit=1, nextToken=token)
    assert errors_of(refused)[0]["errorType"] == "ValidationError"


@pytest.mark.parametrize(("limit", "page_size"), [(0, 1), (-5, 1), (1000, 3)])
def test_out_of_range_limits_are_clamped(live_server: LiveServer, limit: int, page_size: int) -> None:
    # GIVEN a user with three todos
    client = new_user(live_server)
    for i in range(3):
        run(client, CREATE, input={"title": f"todo {i}"})
    # WHEN a page is asked for with a limit outside 1..100
    page = run(client, LIST, limit=limit)["listTodos"]
    # THEN the limit is clamped, not refused: at least one item, at most 100 (here: all three)
    assert len(page["items"]) == page_size
    assert (page["nextToken"] is None) == (page_size == 3)


@pytest.mark.parametrize(
    ("variables", "fragment"),
    [
        (
            {"input": {"title": "x", "dueDate": "01/12/2026"}},
            "Variable 'input' has an invalid value. Unable to parse `01/12/2026` as a valid date.",
        ),
        (
            {"input": {"title": "x", "dueDate": "2026-13-45"}},
            "Variable 'input' has an invalid value. Unable to parse `2026-13-45` as a valid date.",
        ),
        ({"input": {}}, "Variable 'input' has coerced Null value for NonNull type 'String!'"),
        (
            {"input": {"title": 42}},
            "Variable 'input' has an invalid value. Expected type 'String' but was 'Integer'.",
        ),
    ],
)
def test_bad_input_gets_a_validation_error(alice, variables: dict, fragment: str) -> None:
    with pytest.raises(TransportQueryError) as bad:
        run(alice, CREATE, **variables)
    (error,) = errors_of(bad)
    # AppSync's variable errors: graphql-java's text, no errorType (docs/appsync-parity.md)
    assert "errorType" not in error
    assert error["message"] == fragment


def test_bad_email_in_profile_is_rejected(alice) -> None:
    with pytest.raises(TransportQueryError) as bad:
        run(alice, "mutation($e: AWSEmail) { updateProfile(input: {email: $e}) { id } }", e="not-an-email")
    assert errors_of(bad)[0]["message"] == (
        "Variable 'e' has an invalid value. Unable to parse `not-an-email` as a valid AWSEmail."
    )


def test_empty_title_is_a_domain_validation_error(alice) -> None:
    with pytest.raises(TransportQueryError) as bad:
        run(alice, CREATE, input={"title": "   "})
    assert errors_of(bad)[0]["errorType"] == "ValidationError"
    assert errors_of(bad)[0]["path"] == ["createTodo"]


def test_api_key_may_read_profiles_but_not_todos(live_server: LiveServer) -> None:
    public = api_key_client(live_server.url, live_server.api_key)
    with pytest.raises(TransportQueryError) as denied:
        run(public, LIST)
    (error,) = errors_of(denied)
    assert error["errorType"] == "Unauthorized"
    assert error["message"] == "Not Authorized to access listTodos on type Query"


def test_field_level_denial_nulls_only_that_field(live_server: LiveServer) -> None:
    # PublicProfile allows the API key; Query.me does not: one request, two outcomes
    response = httpx.post(
        live_server.url,
        json={
            "query": "query($id: ID!) { getProfile(id: $id) { id } me { id } }",
            "variables": {"id": live_server.sub("alice")},
        },
        headers={"x-api-key": live_server.api_key},
    ).json()
    assert response["data"] is None  # me is non-null, so its null reaches the root
    assert response["errors"][0]["message"] == "Not Authorized to access me on type Query"


async def test_iam_signed_requests(live_server: LiveServer) -> None:
    creds = live_server.iam
    client = iam_client(live_server.url, live_server.host, creds.access_key_id, creds.secret_access_key)
    result = await run_async(
        client, "query($id: ID!) { getProfile(id: $id) { id } }", id=live_server.sub("alice")
    )
    assert result == {"getProfile": {"id": live_server.sub("alice")}}
    denied = iam_client(live_server.url, live_server.host, creds.access_key_id, creds.secret_access_key)
    with pytest.raises(TransportQueryError) as exc:
        await run_async(denied, "{ listTodos { nextToken } }")
    assert exc.value.errors[0]["errorType"] == "Unauthorized"


async def test_iam_with_a_wrong_secret_is_unauthorized(live_server: LiveServer) -> None:
    creds = live_server.iam
    client = iam_client(live_server.url, live_server.host, creds.access_key_id, "x" * 40)
    # gql surfaces AppSync's 401 body as the query's error
    with pytest.raises(TransportQueryError) as exc:
        await run_async(client, 'query { getProfile(id: "x") { id } }')
    assert exc.value.errors is not None
    assert exc.value.errors[0]["errorType"] == "UnauthorizedException"
    assert "signature" in exc.value.errors[0]["message"]


def test_files_are_confined_to_the_callers_folder(live_server: LiveServer) -> None:
    client = new_user(live_server)
    upload = run(
        client,
        'mutation { createFileUploadUrl(fileName: "notes.txt", contentType: "text/plain") '
        "{ key url method expiresAt } }",
    )["createFileUploadUrl"]
    assert upload["method"] == "PUT"
    put = httpx.put(upload["url"], content=b"hello", headers={"content-type": "text/plain"})
    assert put.status_code == 200
    download = run(client, "query($k: String!) { fileDownloadUrl(key: $k) { url } }", k=upload["key"])
    assert httpx.get(download["fileDownloadUrl"]["url"]).content == b"hello"
    # another user asking for the same key gets their own (empty) folder, never the first user's file
    other = run(
        new_user(live_server), "query($k: String!) { fileDownloadUrl(key: $k) { url } }", k=upload["key"]
    )
    assert httpx.get(other["fileDownloadUrl"]["url"]).status_code in (403, 404)
    for bad in ("../x", "/etc/passwd", "a/../../b", ""):
        with pytest.raises(TransportQueryError) as refused:
            run(client, "query($k: String!) { fileDownloadUrl(key: $k) { url } }", k=bad)
        assert errors_of(refused)[0]["errorType"] == "ValidationError"


def test_a_users_files_live_in_the_folder_the_deployed_identity_pool_opens(live_server: LiveServer) -> None:
    # GIVEN a user whose token's `sub` is the identity the deployed identity pool tags sessions with
    name = f"user-{uuid.uuid4().hex[:8]}"
    client = user_client(live_server.url, live_server.token(name))
    # WHEN the API presigns an upload
    upload = run(client, 'mutation { createFileUploadUrl(fileName: "a.txt") { url } }')["createFileUploadUrl"]
    # THEN the object is users/<sub>/a.txt: the folder `${aws:PrincipalTag/sub}` names in infra's policy
    path = urllib.parse.urlsplit(upload["url"]).path
    assert path.endswith(f"/users/{live_server.sub(name)}/a.txt")
