"""Load and faults: no acknowledged write is ever lost (issue 12, item 11).

A bounded load (two users, 50 concurrent clients, a fixed count of mixed reads and writes) runs against the
server as `make run` starts it (DynamoDB Local on disk). Afterwards every write the server acknowledged is in
the table, in its last acknowledged state, and no user ever saw the other's todos. The same holds when
DynamoDB Local is killed under the load (clients then get AppSync-shaped errors naming no local endpoint) and
when the server itself is killed with SIGKILL under the load and started again on the same data folder.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.fixtures.command_line import DYNAMODB_LOCAL, Served, live_members, pid_of, served_app
from tests.fixtures.events import wait_until
from tests.fixtures.todo_load import CREATE, UPDATE, Ledger, run_load, stored_todos

CLIENTS = 50
USERS = ("alice", "bob")
LOCAL_ENDPOINT = re.compile(r"https?://|127\.0\.0\.1|localhost")
# What a client may read while DynamoDB is down: the todos function's botocore errors (their messages naming
# the service, not its local URL), and a conflict when an update landed but its answer was lost.
OUTAGE_ERRORS = {"EndpointConnectionError", "ConnectionClosedError", "ReadTimeoutError", "ConflictError"}


def subject(token: str) -> str:
    """The `sub` of a token this test was just given by the `token` command."""
    payload = token.split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"])


def users_of(served: Served) -> dict[str, tuple[str, str]]:
    tokens = {user: served.token(user) for user in USERS}
    return {user: (subject(token), token) for user, token in tokens.items()}


def load(served: Served, rounds: int, on_answer: Callable[[], None] = lambda: None) -> Ledger:
    return asyncio.run(run_load(f"{served.url}/graphql", users_of(served), CLIENTS, rounds, on_answer))


def after(count: int, action: Callable[[], None]) -> Callable[[], None]:
    """A callback that runs `action` once, at its `count`-th call."""
    calls = 0

    def on_answer() -> None:
        nonlocal calls
        calls += 1
        if calls == count:
            action()

    return on_answer


def assert_every_acknowledged_write_is_stored(served: Served, ledger: Ledger, exact: bool) -> None:
    """Each acknowledged todo is stored with its owner, at its last acknowledged version or later.

    `exact`: nothing failed, so the table holds exactly the acknowledged todos in their acknowledged state.
    """
    for user, (sub, token) in users_of(served).items():
        stored = stored_todos(f"{served.url}/graphql", token, ledger.marker)
        acknowledged = {id_: todo for id_, todo in ledger.latest.items() if todo.owner == sub}
        assert acknowledged, f"no write of {user} was acknowledged"
        missing = sorted(set(acknowledged) - set(stored))
        assert missing == [], f"{len(missing)} acknowledged todos of {user} are not stored: {missing[:5]}"
        for id_, todo in acknowledged.items():
            item = stored[id_]
            assert item["ownerId"] == sub
            # A write whose answer was lost may have landed after the last acknowledged one: never before it.
            assert item["version"] >= todo.version, (item, todo)
            if item["version"] == todo.version:
                assert item["title"] == todo.title, (item, todo)
        if exact:
            assert set(stored) == set(acknowledged)
            assert {id_: (item["title"], item["version"]) for id_, item in stored.items()} == {
                id_: (todo.title, todo.version) for id_, todo in acknowledged.items()
            }


def test_fifty_clients_of_two_users_lose_no_write_and_see_only_their_own_todos(served: Served) -> None:
    # WHEN 50 clients of two users each send 3 rounds of create, list, update and get at once
    ledger = load(served, rounds=3)

    # THEN all 600 requests were answered with data and no error
    assert ledger.statuses == {200: CLIENTS * 3 * 4}, ledger.statuses
    assert ledger.errors == []
    assert ledger.outcomes == {
        f"{operation}:ok": CLIENTS * 3 for operation in ("create", "list", "update", "get")
    }
    # AND the table holds exactly what was acknowledged, and nobody saw a todo of the other user
    assert_every_acknowledged_write_is_stored(served, ledger, exact=True)
    assert ledger.foreign == []


def test_fifty_concurrent_writers_of_one_version_leave_exactly_one_winner(served: Served) -> None:
    # GIVEN a todo of alice at version 1
    token = served.token("alice")
    url = f"{served.url}/graphql"
    created = httpx.post(
        url, json={"query": CREATE, "variables": {"title": "contested"}}, headers={"authorization": token}
    )
    todo = created.json()["data"]["createTodo"]
    assert todo["version"] == 1

    # WHEN 50 clients update it at once, each sending the version it read (1)
    async def update(i: int) -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=60) as http:
            variables = {"id": todo["id"], "v": 1, "title": f"writer {i}"}
            response = await http.post(
                url, json={"query": UPDATE, "variables": variables}, headers={"authorization": token}
            )
            assert response.status_code == 200
            body: dict[str, Any] = response.json()
            return body

    async def all_updates() -> list[dict[str, Any]]:
        return await asyncio.gather(*(update(i) for i in range(CLIENTS)))

    answers = asyncio.run(all_updates())

    # THEN exactly one wins, the 49 others get ConflictError, and the stored todo is the winner's
    winners = [a["data"]["updateTodo"] for a in answers if not a.get("errors")]
    assert len(winners) == 1, winners
    conflicts = [error for a in answers for error in a.get("errors", [])]
    assert [error["errorType"] for error in conflicts] == ["ConflictError"] * (CLIENTS - 1)
    stored = httpx.post(
        url,
        json={
            "query": "query G($id: ID!) { getTodo(id: $id) { title version } }",
            "variables": {"id": todo["id"]},
        },
        headers={"authorization": token},
    ).json()["data"]["getTodo"]
    assert stored == {"title": winners[0]["title"], "version": 2}


def test_dynamodb_local_killed_under_load_loses_no_acknowledged_write(served: Served) -> None:
    # GIVEN DynamoDB Local's JVM, to be killed at the 200th answer of an 800-request load
    jvm = pid_of(served.server.group, DYNAMODB_LOCAL)

    # WHEN it is killed outright while 50 clients write and read
    ledger = load(served, rounds=4, on_answer=after(200, lambda: os.kill(jvm, signal.SIGKILL)))

    # THEN every request got an answer: data, or an AppSync-shaped error that names no local endpoint
    assert set(ledger.statuses) == {200}, ledger.statuses
    assert not any(key.endswith(":unanswered") for key in ledger.outcomes), ledger.outcomes
    assert ledger.errors, "the kill came after the load ended: nothing was tested"
    for error in ledger.errors:
        assert set(error) >= {"errorType", "message", "path"}, error
        assert not LOCAL_ENDPOINT.search(error["message"]), error
        assert error["errorType"] in OUTAGE_ERRORS, error
    # AND once DynamoDB Local is back, every acknowledged write is there
    wait_until(lambda: pid_of(served.server.group, DYNAMODB_LOCAL) != jvm, 60, "a new DynamoDB Local")
    assert_every_acknowledged_write_is_stored(served, ledger, exact=False)
    assert ledger.foreign == []


def test_server_killed_under_load_loses_no_acknowledged_write(tmp_path: Path) -> None:
    killed = threading.Event()
    with served_app(tmp_path) as first:
        # WHEN the server process is killed with SIGKILL at the 200th answer of an 800-request load
        def kill() -> None:
            first.server.process.send_signal(signal.SIGKILL)
            killed.set()

        ledger = load(first, rounds=4, on_answer=after(200, kill))
        assert killed.is_set()
        first.server.process.wait(30)
        # (its children notice and end by themselves)
        wait_until(
            lambda: live_members(first.server.group) == [], 90, "the end of the killed server's children"
        )

    # THEN the requests after the kill went unanswered, never half-answered
    assert ledger.acknowledged_writes > 0
    assert any(key.endswith(":unanswered") for key in ledger.outcomes), ledger.outcomes
    assert set(ledger.statuses) == {200}
    # AND a server started again on the same data folder holds every acknowledged write
    with served_app(tmp_path) as second:
        assert_every_acknowledged_write_is_stored(second, ledger, exact=False)
