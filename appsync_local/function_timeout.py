"""A Lambda function's timeout, enforced on the thread that runs its handler.

Lambda ends an invocation that reaches its function's timeout: the caller gets `Sandbox.Timedout` ("Task timed
out after 3.00 seconds"), whatever the handler would have returned is lost, and the execution environment is
reset, so the next invocation starts cold. Handlers run in-process here, on the invoking thread, which cannot be
killed: past the deadline a watchdog thread raises `TimedOut` in it, once it runs the function's own code.

Only there: an exception raised inside a library the process shares (logging, botocore) could leave it broken
for every other function, say holding a lock it took a moment before (on Lambda the whole environment goes,
with whatever state it had; here the function's own modules are replaced after a timeout, the libraries stay).
Raised while the thread's innermost frame is the function's, the exception lands there or on entering the
next call, before that call has taken anything. So a handler stops at once in its own code, when a library call
returns otherwise, and when a call blocked in C (`time.sleep`, a socket read) returns. An invocation that ends
past its deadline by any route (a handler that catches even `BaseException`) counts as timed out too.
"""

from __future__ import annotations

import contextlib
import ctypes
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

# How often an expired invocation busy in shared code is looked at again.
RECHECK_SECONDS = 0.02


class TimedOut(BaseException):
    """Raised in a handler's thread at its deadline. A BaseException, as `SystemExit` is, so that a handler's
    `except Exception` (Powertools' batch processor records each failure so) does not take it for its own."""


@dataclass(eq=False)
class Deadline:
    """One invocation's deadline on one thread; `expired` once it has passed before the invocation ended."""

    thread_id: int
    at: float
    owns: Callable[[str], bool]  # whether a module (by name) is the function's own code
    started: float = field(default_factory=time.monotonic)
    expired: bool = False
    interrupted: bool = False  # TimedOut was raised in the thread
    next_check: float = 0.0

    def __post_init__(self) -> None:
        self.next_check = self.at

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def in_own_code(self) -> bool:
        """Whether the thread's innermost Python frame is the function's own code."""
        frame = sys._current_frames().get(self.thread_id)
        return frame is not None and self.owns(str(frame.f_globals.get("__name__", "")))


def _raise_in(thread_id: int, exception: type[BaseException] | None) -> None:
    """Have `thread_id` raise `exception` at its next Python instruction (None: withdraw one not yet raised)."""
    pending = None if exception is None else ctypes.py_object(exception)  # None is passed as NULL
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), pending)


class Watchdog:
    """Raises `TimedOut` in each running invocation's thread once its deadline has passed (one daemon thread)."""

    def __init__(self) -> None:
        # Invocations take `_lock` itself, not through the condition: a C lock in a `with` statement is released
        # even if TimedOut lands the moment it is acquired (a Python-level `__enter__` could leak it).
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._running: set[Deadline] = set()
        self._next_wake = float("inf")
        self._thread: threading.Thread | None = None

    @contextlib.contextmanager
    def deadline(self, seconds: float, owns: Callable[[str], bool]) -> Iterator[Deadline]:
        """The block is this thread's invocation, timed out `seconds` from now (see `Deadline.expired`); `owns`
        tells the function's own modules (by name) from the libraries it shares with the process."""
        deadline = Deadline(threading.get_ident(), time.monotonic() + seconds, owns)
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
                for deadline in [d for d in self._running if d.next_check <= now]:
                    deadline.expired = True
                    if deadline.in_own_code():
                        self._running.discard(deadline)
                        deadline.interrupted = True
                        _raise_in(deadline.thread_id, TimedOut)
                    else:
                        deadline.next_check = now + RECHECK_SECONDS
                self._next_wake = min((d.next_check for d in self._running), default=float("inf"))
                self._changed.wait(self._next_wake - now if self._running else None)


WATCHDOG = Watchdog()
