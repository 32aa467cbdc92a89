"""Stopping the event engine waits for its pollers for one bound in all, however many are still busy."""

from __future__ import annotations

import threading

from appsync_local.events.engine import join_within


def _busy_until(release: threading.Event, name: str) -> threading.Thread:
    thread = threading.Thread(target=release.wait, name=name, daemon=True)
    thread.start()
    return thread


def test_pollers_that_finish_are_joined_and_none_is_reported() -> None:
    done = threading.Event()
    done.set()
    threads = [_busy_until(done, f"events:q{i}") for i in range(3)]
    assert join_within(threads, timeout=10) == []
    assert not any(thread.is_alive() for thread in threads)


class _JoinRecorded(threading.Thread):
    """A poller that never finishes, recording how long each join was allowed to wait."""

    def __init__(self, never: threading.Event, name: str, joins: list[float | None]) -> None:
        super().__init__(target=never.wait, name=name, daemon=True)
        self.joins = joins

    def join(self, timeout: float | None = None) -> None:
        self.joins.append(timeout)
        super().join(timeout)


def test_pollers_still_busy_at_the_bound_are_returned_and_the_wait_is_shared() -> None:
    # GIVEN two pollers that never finish and one that has
    never, done = threading.Event(), threading.Event()
    done.set()
    joins: list[float | None] = []
    stuck = [_JoinRecorded(never, "events:a", joins), _JoinRecorded(never, "events:b", joins)]
    for thread in stuck:
        thread.start()
    finished = _busy_until(done, "events:c")
    finished.join()
    # WHEN they are joined within a bound of 0.2 s
    left = join_within([*stuck, finished], timeout=0.2)
    # THEN the busy ones are returned, and the second was given what the first left of the bound (nothing),
    # not 0.2 s of its own
    never.set()
    assert left == stuck
    first, second = joins
    assert first is not None and 0 < first <= 0.2
    assert second is not None and second < 0.1
