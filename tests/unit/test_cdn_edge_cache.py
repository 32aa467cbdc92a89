"""How long the local edge keeps a copy: CloudFront's CachingOptimized policy (min 1 s, default 1 day, max 1 year)."""

from __future__ import annotations

import pytest

from appsync_local.cdn.edge_cache import EdgeCache, ttl_seconds


@pytest.mark.parametrize(
    ("cache_control", "ttl"),
    [
        (None, 86_400),
        ("public, max-age=60", 60),
        ("max-age=60, s-maxage=600", 600),
        ('max-age="120"', 120),
        ("max-age=0", 1),
        ("max-age=999999999", 31_536_000),
        ("no-cache", 1),
        ("private, max-age=600", 1),
        ("no-store", 1),
        ("public", 86_400),
    ],
)
def test_time_to_live_follows_the_origin_within_the_policy(cache_control: str | None, ttl: int) -> None:
    assert ttl_seconds(cache_control) == ttl


def test_the_least_recently_used_copies_leave_first() -> None:
    now = [0.0]
    cache = EdgeCache(max_object_bytes=4, max_total_bytes=8, clock=lambda: now[0])
    assert cache.put("too-big", b"12345", {}) is None
    cache.put("a", b"1234", {})
    cache.put("b", b"1234", {})
    assert cache.get("a") is not None  # a is now the most recently used
    cache.put("c", b"1234", {})
    assert [key for key in ("a", "b", "c") if cache.get(key) is not None] == ["a", "c"]
    assert (len(cache), cache.size) == (2, 8)
    assert cache.invalidate("") == 2 and cache.size == 0
