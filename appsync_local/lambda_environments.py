"""A function's execution environments: Lambda runs concurrent invocations of a function side by side.

Lambda gives each execution environment one invocation at a time. An invocation that arrives while every
environment of its function is busy gets a new one (a cold start: its own process, so its own module state,
its own boto3 session and Powertools state), and a finished invocation leaves its environment warm for the
next. Locally an environment is the function's `os.environ` as Lambda sets it, its own copies of the app's
modules (`function_modules`), with the boto3 session and the Powertools state kept per copy, and its handler
once imported. The warm environment used last is reused first, so invocations one after another always find
the same one, as they would on Lambda. No more environments are made than invocations run at once; the
runtime's threads for blocking calls bound that (`execution_threads`). As Lambda does, an environment left idle
for a while is reclaimed (`IDLE_SECONDS`), but for the one used last: a burst of overlapping requests does not
keep its environments, with their modules and boto3 clients, for the server's life.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .function_modules import ModuleTable

# How long a free environment stays warm unused before it is reclaimed (Lambda does not say; minutes).
IDLE_SECONDS = 600.0


def new_log_stream() -> str:
    """A log stream name as Lambda gives each execution environment: `2026/12/03/[$LATEST]<32 hex digits>`."""
    return f"{time.strftime('%Y/%m/%d', time.gmtime())}/[$LATEST]{secrets.token_hex(16)}"


@dataclass(eq=False)
class ExecutionEnvironment:
    """One execution environment of a function (Lambda's container)."""

    environ: dict[str, str]  # its `os.environ`, made at its cold start; what a handler sets stays in it
    modules: ModuleTable  # its own copies of the app's modules
    log_stream: str  # AWS_LAMBDA_LOG_STREAM_NAME and the context's log_stream_name
    handler: Callable[[Any, Any], Any] | None = None  # once its module is imported (its init)
    retired: bool = False  # never used again (Lambda resets an environment after a timeout)
    freed_at: float = 0.0  # when its last invocation ended (the pool's clock)


class EnvironmentPool:
    """A function's environments: a free warm one is reused, the one used last first; when every one is busy,
    a new one is made."""

    def __init__(
        self, make: Callable[[], ExecutionEnvironment], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._make = make
        self._clock = clock
        self._lock = threading.Lock()
        self._free: list[ExecutionEnvironment] = []  # warm and free, the one used last at the end
        self._live: list[ExecutionEnvironment] = []  # every environment kept, oldest first
        self._latest: ExecutionEnvironment | None = None
        self.made = 0  # environments made so far: cold starts

    def latest(self) -> ExecutionEnvironment:
        """The environment used or made last (made now if there is none): where the function's bindings are
        imported and where a test reads the state its handler keeps."""
        with self._lock:
            if self._latest is None or self._latest.retired:
                self._latest = self._new()
                self._free.append(self._latest)
            return self._latest

    def live(self) -> list[ExecutionEnvironment]:
        """Every environment made and still kept (neither retired nor reclaimed), free or busy, the oldest
        first."""
        with self._lock:
            return list(self._live)

    @contextlib.contextmanager
    def environment(self) -> Iterator[ExecutionEnvironment]:
        """A free environment for one invocation, given back warm afterwards unless it was retired."""
        with self._lock:
            self._reclaim_idle()
            environment = self._free.pop() if self._free else self._new()
            self._latest = environment
        try:
            yield environment
        finally:
            with self._lock:
                if environment.retired:
                    self._live.remove(environment)
                else:
                    environment.freed_at = self._clock()
                    self._free.append(environment)

    def _reclaim_idle(self) -> None:
        """Forget the free environments unused for `IDLE_SECONDS`, but the one used last and the next to use."""
        stale = self._clock() - IDLE_SECONDS
        kept = [self._latest, self._free[-1] if self._free else None]
        for environment in [e for e in self._free if e.freed_at < stale and all(e is not k for k in kept)]:
            self._free.remove(environment)
            self._live.remove(environment)

    def _new(self) -> ExecutionEnvironment:
        made = self._make()
        made.freed_at = self._clock()
        self.made += 1
        self._live.append(made)
        return made
