"""Where GraphQL work runs: ordinary documents on the server's event loop, heavy ones on a worker thread.

An ordinary document (short, no introspection, at most a few hundred selected fields) runs on the loop that
read its request: everything slow it does already leaves the loop (resolvers reach DynamoDB and Lambda
handlers through `asyncio.to_thread`), and between those calls its own work is short. Handing each request to
a worker thread and back cost more than that work itself for a cached read (bench/README.md, listTodos).

A heavy document (long, introspecting, or selecting many fields) can spend seconds of CPU in graphql-core; on
the server's loop that would hold every other request and WebSocket for as long. It runs on a worker thread
with an event loop of its own, where it shares the interpreter (the GIL hands over every millisecond) and the
server keeps answering. Heavy documents have few workers and their own threads for blocking calls: a few
clients sending the heaviest documents the limits allow only queue behind one another; they never take the
threads an ordinary request's blocking calls need.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

# Every runnable thread delays every GIL hand-over of an ordinary request: heavy documents get few of them
# and wait for one another.
HEAVY_WORKERS = 1
# Blocking calls (boto3, Lambda handlers) of the ordinary documents on the server's loop, and of the heavy ones.
BLOCKING_CALL_THREADS = 16
HEAVY_BLOCKING_CALL_THREADS = 4


class _Lane:
    """Worker threads, each running its own event loop, and the threads their blocking calls run on."""

    def __init__(self, name: str, workers: int, blocking_threads: int) -> None:
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix=f"graphql-{name}")
        self.blocking = ThreadPoolExecutor(blocking_threads, thread_name_prefix=f"graphql-{name}-blocking")
        self._local = threading.local()

    def loop(self) -> asyncio.AbstractEventLoop:
        loop: asyncio.AbstractEventLoop | None = getattr(self._local, "loop", None)
        if loop is None:
            loop = self._local.loop = asyncio.new_event_loop()
            loop.set_default_executor(self.blocking)
        return loop

    def shutdown(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.blocking.shutdown(wait=False, cancel_futures=True)


class ExecutionThreads:
    """Runs coroutines, each bounded by a deadline: ordinary ones on the caller's loop, heavy ones on workers."""

    def __init__(self, heavy_workers: int = HEAVY_WORKERS) -> None:
        self._heavy = _Lane("heavy", heavy_workers, HEAVY_BLOCKING_CALL_THREADS)

    @staticmethod
    def serve_blocking_calls(loop: asyncio.AbstractEventLoop) -> None:
        """Give `loop` (a server's) threads enough for concurrent requests' `to_thread` calls (asyncio's default
        is the number of cores plus four). The loop owns them: closing it shuts them down."""
        loop.set_default_executor(
            ThreadPoolExecutor(BLOCKING_CALL_THREADS, thread_name_prefix="graphql-blocking")
        )

    async def run(
        self, work: Callable[[], Coroutine[Any, Any, T]], timeout: float, *, heavy: bool = False
    ) -> T:
        """Await `work()`, on this loop or on a heavy worker's; TimeoutError once `timeout` seconds have passed.

        For heavy work the caller gets TimeoutError at the deadline even while the worker is inside synchronous
        code; the worker cancels its own coroutine at the same deadline, at its next await.
        """
        if not heavy:
            async with asyncio.timeout(timeout):
                return await work()
        deadline = time.monotonic() + timeout
        lane = self._heavy

        def on_worker() -> T:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            return lane.loop().run_until_complete(asyncio.wait_for(work(), remaining))

        future = asyncio.wrap_future(lane.pool.submit(on_worker))
        return await asyncio.wait_for(future, timeout)

    def shutdown(self) -> None:
        self._heavy.shutdown()
