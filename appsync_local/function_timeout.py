"""A Lambda function's timeout, enforced on the thread that runs its handler.

Lambda ends an invocation that reaches its function's timeout: the caller gets `Sandbox.Timedout` ("Task timed
out after 3.00 seconds"), whatever the handler would have returned is lost, and the execution environment is
reset, so the next invocation starts cold. Handlers run in-process here, on the invoking thread, which cannot be
killed: at the deadline a watchdog thread raises `TimedOut` in it. The exception lands at the handler's next
Python instruction; a call blocked inside C code (`time.sleep`, a socket read) returns first. An invocation
that ends past its deadline by any route (a handler that catches even `BaseException`) counts as timed out too.
"""

from __future__ import annotations

import contextlib
import ctypes
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field


class TimedOut(BaseException):
    """Raised in a handler's thread at its deadline. A BaseException, as `SystemExit` is, so that a handler's
    `except Exception` (Powertools' batch processor records each failure so) does not take it for its own."""


@dataclass(eq=False)
class Deadline:
    """One invocation's deadline on one thread; `expired` once it has passed before the invocation ended."""

    thread_id: int
    at: float
    started: float = field(default_factory=time.monotonic)
    expired: bool = False
    interrupted: bool = False  # TimedOut was raised in the thread

    def elapsed(self) -> float:
        return time.monotonic() - self.started


def _raise_in(thread_id: int, exception: type[BaseException] | None) -> None:
    """Have `thread_id` raise `exception` at its next Python instruction (None: withdraw one not yet raised)."""
    pending = None if exception is None else ctypes.py_object(exception)  # None is passed as NULL
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), pending)


class Watchdog:
    """Raises `TimedOut` in each running invocation's thread when its deadline passes (one daemon thread)."""

    def __init__(self) -> None:
        # Invocations take `_lock` itself, not through the condition: a C lock in a `with` statement is released
        # even if TimedOut lands the moment it is acquired (a Python-level `__enter__` could leak it).
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._running: set[Deadline] = set()
        self._next_wake = float("inf")
        self._thread: threading.Thread | None = None

    @contextlib.contextmanager
    def deadline(self, seconds: float) -> Iterator[Deadline]:
        """The block is this thread's invocation, timed out `seconds` from now (see `Deadline.expired`)."""
        deadline = Deadline(threading.get_ident(), time.monotonic() + seconds)
        with self._lock:
            self._running.add(deadline)
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="lambda-timeouts", daemon=True)
                self._thread.start()
            if deadline.at < self._next_wake:
                self._changed.notify()
        try:
            yield deadline
        finally:
            with self._lock:
                self._running.discard(deadline)
                if deadline.interrupted:
                    _raise_in(deadline.thread_id, None)  # withdrawn if it ended before TimedOut landed
                elif time.monotonic() >= deadline.at:
                    deadline.expired = True

    def _watch(self) -> None:
        with self._changed:
            while True:
                now = time.monotonic()
                for deadline in [d for d in self._running if d.at <= now]:
                    self._running.discard(deadline)
                    deadline.expired = deadline.interrupted = True
                    _raise_in(deadline.thread_id, TimedOut)
                self._next_wake = min((d.at for d in self._running), default=float("inf"))
                self._changed.wait(self._next_wake - now if self._running else None)


WATCHDOG = Watchdog()
