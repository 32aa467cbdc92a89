"""The API cache's entries: in memory, each with its own expiry, the least recently used dropped first."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

# Locally the cache is bounded by entries, not by an instance's memory (`type` is what is deployed).
DEFAULT_MAX_ENTRIES = 10_000

_MISSING = object()


class CacheStore:
    """Entries by key until their TTL ends; at most `max_entries`, the least recently used evicted first.

    `clock` is monotonic seconds (tests pass their own, so expiry needs no sleeping). Resolvers run on
    several worker threads, hence the lock.
    """

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES, clock: Callable[[], float] = time.monotonic):
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        """The live value under `key`, or `MISSING`."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return _MISSING
            expires, value = entry
            if expires <= self.clock():
                del self._entries[key]
                return _MISSING
            self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any, ttl_seconds: float) -> None:
        with self._lock:
            self._entries[key] = (self.clock() + ttl_seconds, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def delete(self, key: Hashable) -> int:
        """Remove `key`; 1 when a live entry was there, else 0."""
        with self._lock:
            entry = self._entries.pop(key, None)
            return int(entry is not None and entry[0] > self.clock())

    def flush(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


MISSING: Any = _MISSING
