"""One API key at a time, whoever asks for it (issue 12, item 6).

After expiry, `make api-key` used to print a key the running server rejected, and opening GraphiQL minted
another that overwrote it. The running server, the `api-key` command and GraphiQL hold stores on one file:
whichever renews first makes the key, and the others print and accept that key. Time is driven by an
injectable clock, or by writing an expired key file; nothing sleeps.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from appsync_local.auth import ApiKeyStore, UnauthorizedError
from tests.fixtures.command_line import TRACEBACK, command_env, run_cli, serving

DAY = 86_400
LIST_POSTS = "{ listPosts(limit: 1) { items { id } } }"


class Clock:
    """A clock the test moves forward."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(1_700_000_000.0)


def test_a_key_renewed_by_the_command_line_is_the_key_the_server_accepts_and_shows(
    tmp_path: Path, clock: Clock
) -> None:
    # GIVEN the running server's store and its key
    server = ApiKeyStore.load_or_create(tmp_path, expiry_days=7, clock=clock)
    first = server.current()

    # WHEN the key has expired and `make api-key` (a store of its own) asks for the key
    clock.now = first.expires + 1
    printed = ApiKeyStore.load_or_create(tmp_path, expiry_days=7, clock=clock).current()

    # THEN it is a new key, which the running server accepts and shows (banner, GraphiQL) as its own
    assert printed != first
    server.check(printed.id)
    assert server.current() == printed
    with pytest.raises(UnauthorizedError, match="API key has expired"):
        server.check(first.id)


def test_a_key_renewed_by_the_server_is_the_one_the_command_line_prints(tmp_path: Path, clock: Clock) -> None:
    # GIVEN the server's store and the command line's, on one data folder, once the key has expired
    server = ApiKeyStore.load_or_create(tmp_path, expiry_days=7, clock=clock)
    command_line = ApiKeyStore.load_or_create(tmp_path, expiry_days=7, clock=clock)
    clock.now = server.current().expires

    # WHEN GraphiQL is opened (the server renews), then `make api-key` runs, then GraphiQL again
    shown = server.current()
    printed = command_line.current()
    shown_again = server.current()

    # THEN all three agree, and the file holds that one new key next to the expired one
    assert printed == shown == shown_again
    stored = json.loads((tmp_path / "auth" / "api_keys.json").read_text())["keys"]
    assert len(stored) == 2
    assert stored[-1]["id"] == shown.id


def test_two_renewals_racing_make_one_key(tmp_path: Path, clock: Clock) -> None:
    # GIVEN two stores whose keys expired (both have read the file)
    first = ApiKeyStore.load_or_create(tmp_path, expiry_days=7, clock=clock)
    second = ApiKeyStore.load_or_create(tmp_path, expiry_days=7, clock=clock)
    clock.now = first.current().expires + 60

    # WHEN each asks for the current key
    keys = {first.current(), second.current()}

    # THEN both got the same new key
    assert len(keys) == 1


@pytest.fixture
def server_with_expired_key(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """A running server (moto's DynamoDB, to start quickly) whose banner key was then made expired on disk."""
    env = command_env(APPSYNC_LOCAL_DYNAMODB="moto")
    with serving("--data-dir", str(tmp_path), "serve", "--port", "0", env=env) as server:
        url = server.wait_for_line(r"AppSync API\s+(http://127\.0\.0\.1:\d+)/graphql").group(1)
        banner_key = server.wait_for_line(r"API key\s+(\S+)").group(1)
        path = tmp_path / "auth" / "api_keys.json"
        keys = json.loads(path.read_text())
        for key in keys["keys"]:
            key["expires"] = int(time.time()) - 60  # a minute ago (AppSync forgets keys 60 days after)
        path.write_text(json.dumps(keys))
        yield url, banner_key, tmp_path


def test_after_expiry_the_command_graphiql_and_the_server_agree_on_one_key(
    server_with_expired_key: tuple[str, str, Path],
) -> None:
    url, expired, data_dir = server_with_expired_key
    env = command_env(APPSYNC_LOCAL_DYNAMODB="moto")

    # WHEN `make api-key` runs against the running server's data folder
    result = run_cli("--data-dir", str(data_dir), "api-key", env=env)

    # THEN it prints a new key, which the running server accepts
    assert result.returncode == 0, result.stderr
    assert TRACEBACK not in result.stderr
    printed = result.stdout.strip()
    assert re.fullmatch(r"da2-[a-z0-9]{26}", printed)
    assert printed != expired
    accepted = httpx.post(
        f"{url}/graphql", json={"query": LIST_POSTS}, headers={"x-api-key": printed}, timeout=30
    )
    assert accepted.status_code == 200, accepted.text
    assert "errors" not in accepted.json()
    # AND GraphiQL shows that key (it mints no other), and `make api-key` still prints it
    page = httpx.get(f"{url}/graphql", headers={"accept": "text/html"}, timeout=30)
    assert printed in page.text
    again = run_cli("--data-dir", str(data_dir), "api-key", env=env)
    assert again.stdout.strip() == printed
    # AND the expired key is refused as AppSync refuses it
    refused = httpx.post(
        f"{url}/graphql", json={"query": LIST_POSTS}, headers={"x-api-key": expired}, timeout=30
    )
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["message"] == "API key has expired."
