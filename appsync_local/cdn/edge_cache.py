"""The edge's copy of objects, kept as CloudFront's CachingOptimized policy keeps them.

The cache key is the object (query strings and cookies are not part of it). How long a copy is fresh comes
from the origin's `Cache-Control` (`s-maxage`, then `max-age`), else the policy's default of a day, held
between its minimum (1 s) and maximum (a year); `no-cache`, `no-store` and `private` get the minimum. A stale
copy is revalidated with the origin by its ETag. Whole objects up to `max_object_bytes` are kept, the least
recently used leaving first once `max_total_bytes` is reached.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

MIN_TTL_SECONDS = 1
DEFAULT_TTL_SECONDS = 86_400
MAX_TTL_SECONDS = 31_536_000
_DIRECTIVE = re.compile(r"\s*([a-z-]+)\s*(?:=\s*\"?(\d+)\"?)?\s*", re.IGNORECASE)


def ttl_seconds(cache_control: str | None) -> int:
    """How long CachingOptimized keeps an object the origin sent with `cache_control`."""
    directives: dict[str, str | None] = {}
    for part in (cache_control or "").split(","):
        match = _DIRECTIVE.fullmatch(part)
        if match:
            directives[match.group(1).lower()] = match.group(2)
    if {"no-cache", "no-store", "private"} & directives.keys():
        return MIN_TTL_SECONDS
    for name in ("s-maxage", "max-age"):
        value = directives.get(name)
        if value is not None:
            return max(MIN_TTL_SECONDS, min(MAX_TTL_SECONDS, int(value)))
    return DEFAULT_TTL_SECONDS


@dataclass
class CachedObject:
    """A whole object as the origin sent it, and when it was (re)validated."""

    body: bytes
    headers: Mapping[str, str]
    stored_at: float
    ttl: int

    def fresh(self, now: float) -> bool:
        return now < self.stored_at + self.ttl

    def age(self, now: float) -> int:
        return max(0, int(now - self.stored_at))


@dataclass
class EdgeStatistics:
    """What one distribution's edge did: answers from its copy, fetches from the origin, refusals."""

    requests: int = 0
    hits: int = 0
    misses: int = 0
    refresh_hits: int = 0
    refused: int = 0
    origin_bytes: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class EdgeCache:
    """Objects by key, least recently used first."""

    max_object_bytes: int = 8 * 1024 * 1024
    max_total_bytes: int = 64 * 1024 * 1024
    clock: Callable[[], float] = time.time
    _objects: OrderedDict[str, CachedObject] = field(default_factory=OrderedDict)
    _size: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: str) -> CachedObject | None:
        with self._lock:
            cached = self._objects.get(key)
            if cached is not None:
                self._objects.move_to_end(key)
            return cached

    def put(self, key: str, body: bytes, headers: Mapping[str, str]) -> CachedObject | None:
        """Keep `body` (None when it is too large to keep) for as long as its Cache-Control allows."""
        if len(body) > self.max_object_bytes:
            return None
        cached = CachedObject(body, dict(headers), self.clock(), ttl_seconds(headers.get("cache-control")))
        with self._lock:
            self._discard(key)
            self._objects[key] = cached
            self._size += len(body)
            while self._size > self.max_total_bytes and self._objects:
                self._discard(next(iter(self._objects)))
        return cached

    def revalidated(self, key: str) -> None:
        """The origin says the copy is still current: it is fresh again from now."""
        with self._lock:
            cached = self._objects.get(key)
            if cached is not None:
                cached.stored_at = self.clock()

    def invalidate(self, prefix: str = "") -> int:
        """Forget every object whose key starts with `prefix` (CloudFront's invalidation); how many."""
        with self._lock:
            gone = [key for key in self._objects if key.startswith(prefix)]
            for key in gone:
                self._discard(key)
            return len(gone)

    def __len__(self) -> int:
        return len(self._objects)

    @property
    def size(self) -> int:
        return self._size

    def _discard(self, key: str) -> None:
        cached = self._objects.pop(key, None)
        if cached is not None:
            self._size -= len(cached.body)
