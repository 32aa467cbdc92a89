"""The local API keys: AppSync's shape, expiry, persistence across restarts."""

from __future__ import annotations

import re
import stat
import time
from pathlib import Path

import pytest

from appsync_local.auth import NOT_AUTHORIZED, ApiKeyStore, AuthStoreError, UnauthorizedError

DAY = 86_400


def test_a_new_store_creates_a_key_shaped_like_appsyncs(tmp_path: Path) -> None:
    # GIVEN an empty data directory
    now = 1_700_000_000.0

    # WHEN the store is loaded
    store = ApiKeyStore.load_or_create(tmp_path, expiry_days=7, now=now)

    # THEN it holds one key like AppSync's, valid for 7 days rounded down to the hour
    key = store.current(now)
    assert re.fullmatch(r"da2-[a-z0-9]{26}", key.id)
    assert key.expires == int(now + 7 * DAY) // 3600 * 3600
    store.check(key.id, now=now)


def test_the_key_survives_a_restart(tmp_path: Path) -> None:
    # GIVEN a key created by one instance
    first = ApiKeyStore.load_or_create(tmp_path, expiry_days=7).current()

    # WHEN another instance loads the same data directory
    second = ApiKeyStore.load_or_create(tmp_path, expiry_days=7)

    # THEN it serves and accepts the same key
    assert second.current() == first
    second.check(first.id)


def test_the_key_file_is_readable_only_by_its_owner(tmp_path: Path) -> None:
    # GIVEN / WHEN a store is created
    ApiKeyStore.load_or_create(tmp_path, expiry_days=7)

    # THEN the key file is private
    (path,) = (tmp_path / "auth").glob("api_keys.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_unknown_key_is_rejected(tmp_path: Path) -> None:
    # GIVEN a store
    store = ApiKeyStore.load_or_create(tmp_path, expiry_days=7)

    # WHEN a made-up key is checked
    with pytest.raises(UnauthorizedError) as raised:
        store.check("da2-" + "x" * 26)

    # THEN AppSync's message is given
    assert raised.value.message == NOT_AUTHORIZED


def test_an_expired_key_is_rejected_with_a_clear_message(tmp_path: Path) -> None:
    # GIVEN a key
    store = ApiKeyStore.load_or_create(tmp_path, expiry_days=1)
    key = store.current()

    # WHEN it is checked after its expiry
    with pytest.raises(UnauthorizedError) as raised:
        store.check(key.id, now=key.expires + 1)

    # THEN the caller learns that it has expired
    assert raised.value.message == "API key has expired."


def test_a_fresh_key_replaces_an_expired_one_and_is_persisted(tmp_path: Path) -> None:
    # GIVEN a store whose only key has expired
    old = ApiKeyStore.load_or_create(tmp_path, expiry_days=1).current()
    later = old.expires + 10

    # WHEN the store is loaded again after the expiry
    store = ApiKeyStore.load_or_create(tmp_path, expiry_days=1, now=later)

    # THEN a new valid key is served (and kept after another restart), and the old one still reads as expired
    fresh = store.current(later)
    assert fresh.id != old.id
    store.check(fresh.id, now=later)
    assert ApiKeyStore.load_or_create(tmp_path, expiry_days=1, now=later).current(later) == fresh
    with pytest.raises(UnauthorizedError, match="expired"):
        store.check(old.id, now=later)


def test_current_creates_a_key_when_the_only_one_expired_while_running(tmp_path: Path) -> None:
    # GIVEN a running store
    store = ApiKeyStore.load_or_create(tmp_path, expiry_days=1)
    old = store.current()

    # WHEN the current key is asked for after its expiry
    fresh = store.current(now=old.expires)

    # THEN a new one is made
    assert fresh.id != old.id
    assert fresh.expires > old.expires


def test_a_corrupt_key_file_is_reported_clearly(tmp_path: Path) -> None:
    # GIVEN a damaged key file
    path = tmp_path / "auth" / "api_keys.json"
    path.parent.mkdir()
    path.write_text("{not json")

    # WHEN the store is loaded
    with pytest.raises(AuthStoreError) as raised:
        ApiKeyStore.load_or_create(tmp_path, expiry_days=7)

    # THEN the message names the file and the way out
    assert str(path) in str(raised.value)
    assert "delete it" in str(raised.value)


def test_expiry_outside_appsyncs_range_is_refused(tmp_path: Path) -> None:
    # GIVEN / WHEN / THEN an expiry AppSync would refuse is refused
    with pytest.raises(ValueError, match="1-365"):
        ApiKeyStore.load_or_create(tmp_path, expiry_days=400, now=time.time())
