"""The local API keys, shaped and expiring like AppSync's."""

from __future__ import annotations

import hmac
import secrets
import string
import time
from dataclasses import dataclass
from pathlib import Path

from appsync_local.auth.errors import NOT_AUTHORIZED, AuthStoreError, UnauthorizedError
from appsync_local.auth.storage import auth_dir, read_json, write_json

_KEY_ALPHABET = string.ascii_lowercase + string.digits
_HOUR = 3600
_DAY = 86_400
# AppSync deletes a key 60 days after it expires; until then it still answers "expired".
_RETENTION_AFTER_EXPIRY = 60 * _DAY


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
        The keys already known.
    """

    FILE_NAME = "api_keys.json"

    def __init__(self, path: Path, expiry_days: int, keys: list[ApiKey]) -> None:
        if not 1 <= expiry_days <= 365:
            raise ValueError("API key expiry must be 1-365 days, as in AppSync")
        self._path = path
        self._expiry_days = expiry_days
        self._keys = keys

    @classmethod
    def load_or_create(cls, data_dir: Path, expiry_days: int, now: float | None = None) -> ApiKeyStore:
        """Load the keys under `data_dir`, creating a valid one when none is."""
        path = auth_dir(data_dir) / cls.FILE_NAME
        keys = cls._read(path) if path.exists() else []
        store = cls(path, expiry_days, keys)
        store.current(now)
        return store

    @property
    def keys(self) -> tuple[ApiKey, ...]:
        """Every stored key, oldest first."""
        return tuple(self._keys)

    def current(self, now: float | None = None) -> ApiKey:
        """The newest valid key; a fresh one is created (and saved) when every key has expired."""
        at = time.time() if now is None else now
        valid = [key for key in self._keys if not key.expired(at)]
        if valid:
            return max(valid, key=lambda key: key.expires)
        return self._create(at)

    def check(self, key: str, now: float | None = None) -> None:
        """Accept a valid key; raise `UnauthorizedError` for an unknown or expired one."""
        at = time.time() if now is None else now
        for known in self._keys:
            # Constant-time comparison so the key cannot be guessed from response timing.
            if hmac.compare_digest(known.id.encode(), key.encode()):
                if known.expired(at):
                    raise UnauthorizedError("API key has expired.")
                return
        raise UnauthorizedError(NOT_AUTHORIZED)

    def _create(self, now: float) -> ApiKey:
        expires = int(now + self._expiry_days * _DAY) // _HOUR * _HOUR
        key = ApiKey(id=new_api_key_id(), expires=expires)
        self._keys = [k for k in self._keys if now < k.expires + _RETENTION_AFTER_EXPIRY] + [key]
        write_json(self._path, {"keys": [{"id": k.id, "expires": k.expires} for k in self._keys]})
        return key

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
