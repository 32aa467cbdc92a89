"""The local API keys, shaped and expiring like AppSync's, in one file every process agrees on.

The running server, `make api-key` and GraphiQL each hold an `ApiKeyStore` on the same file. Renewal (when
every key has expired) happens under an OS lock on `api_keys.lock`, after reading the file again, so only
one new key is ever made; every store reads the file again when it changed, so a key renewed by one
process is the key the others print and accept.
"""

from __future__ import annotations

import contextlib
import fcntl
import hmac
import logging
import os
import secrets
import string
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from appsync_local.auth.errors import NOT_AUTHORIZED, AuthStoreError, UnauthorizedError
from appsync_local.auth.storage import auth_dir, read_json, write_json

_KEY_ALPHABET = string.ascii_lowercase + string.digits
_HOUR = 3600
_DAY = 86_400
# AppSync deletes a key 60 days after it expires; until then it still answers "expired".
_RETENTION_AFTER_EXPIRY = 60 * _DAY

logger = logging.getLogger("appsync_local.auth")
Clock = Callable[[], float]
# What identifies one version of the key file: it is replaced (a new inode) on every write.
_FileVersion = tuple[int, int, int] | None


@dataclass(frozen=True)
class ApiKey:
    """One API key: its value (AppSync calls it the id) and its expiry in epoch seconds."""

    id: str
    expires: int

    def expired(self, now: float) -> bool:
        """Whether the key no longer authorizes requests at `now`."""
        return now >= self.expires


def new_api_key_id() -> str:
    """A key in AppSync's form: ``da2-`` and 26 lowercase letters and digits."""
    return "da2-" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(26))


class ApiKeyStore:
    """The API's keys, persisted as JSON under the data directory so clients keep working across restarts.

    Parameters
    ----------
    path
        The JSON file holding the keys.
    expiry_days
        How long a new key is valid (AppSync: 1-365 days, rounded down to the hour).
    keys
        The keys already known (read again from `path` whenever the file changes).
    clock
        The time now, in epoch seconds (tests pass their own).
    """

    FILE_NAME = "api_keys.json"
    LOCK_NAME = "api_keys.lock"

    def __init__(self, path: Path, expiry_days: int, keys: list[ApiKey], clock: Clock = time.time) -> None:
        if not 1 <= expiry_days <= 365:
            raise ValueError("API key expiry must be 1-365 days, as in AppSync")
        self._path = path
        self._expiry_days = expiry_days
        self._keys = keys
        self._clock = clock
        self._version: _FileVersion = self._file_version()

    @classmethod
    def load_or_create(
        cls, data_dir: Path, expiry_days: int, now: float | None = None, clock: Clock = time.time
    ) -> ApiKeyStore:
        """Load the keys under `data_dir`, creating a valid one when none is."""
        path = auth_dir(data_dir) / cls.FILE_NAME
        keys = cls._read(path) if path.exists() else []
        store = cls(path, expiry_days, keys, clock)
        store.current(now)
        return store

    @property
    def keys(self) -> tuple[ApiKey, ...]:
        """Every stored key, oldest first."""
        self._reload_if_changed()
        return tuple(self._keys)

    def current(self, now: float | None = None) -> ApiKey:
        """The newest valid key; a fresh one is created (and saved) when every key has expired."""
        at = self._clock() if now is None else now
        self._reload_if_changed()
        valid = self._newest_valid(at)
        if valid is not None:
            return valid
        with self._renewal_lock():
            # Another process may have renewed it while this one waited for the lock.
            self._reload_if_changed()
            return self._newest_valid(at) or self._create(at)

    def check(self, key: str, now: float | None = None) -> None:
        """Accept a valid key; raise `UnauthorizedError` for an unknown or expired one."""
        at = self._clock() if now is None else now
        self._reload_if_changed()
        for known in self._keys:
            # Constant-time comparison so the key cannot be guessed from response timing.
            if hmac.compare_digest(known.id.encode(), key.encode()):
                if known.expired(at):
                    raise UnauthorizedError("API key has expired.")
                return
        raise UnauthorizedError(NOT_AUTHORIZED)

    def _newest_valid(self, now: float) -> ApiKey | None:
        valid = [key for key in self._keys if not key.expired(now)]
        return max(valid, key=lambda key: key.expires) if valid else None

    def _create(self, now: float) -> ApiKey:
        expires = int(now + self._expiry_days * _DAY) // _HOUR * _HOUR
        key = ApiKey(id=new_api_key_id(), expires=expires)
        renewal = bool(self._keys)
        self._keys = [k for k in self._keys if now < k.expires + _RETENTION_AFTER_EXPIRY] + [key]
        write_json(self._path, {"keys": [{"id": k.id, "expires": k.expires} for k in self._keys]})
        self._version = self._file_version()
        if renewal:  # a running server says so, as the banner's key no longer holds
            logger.info("API key renewed: %s (the previous one expired).", key.id)
        return key

    def _file_version(self) -> _FileVersion:
        try:
            stat = self._path.stat()
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def _reload_if_changed(self) -> None:
        """Read the file again when another process (or this one's other store) wrote it."""
        version = self._file_version()
        if version != self._version:
            self._keys = self._read(self._path) if version is not None else []
            self._version = version

    @contextlib.contextmanager
    def _renewal_lock(self) -> Iterator[None]:
        """An OS lock shared by every process on this data folder (released by the OS if one dies)."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._path.with_name(self.LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    @staticmethod
    def _read(path: Path) -> list[ApiKey]:
        raw = read_json(path)
        try:
            return [ApiKey(id=str(k["id"]), expires=int(k["expires"])) for k in raw["keys"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise AuthStoreError(
                f'{path} does not hold API keys as {{"keys": [{{"id", "expires"}}]}}; '
                "delete it to create a new key"
            ) from exc
