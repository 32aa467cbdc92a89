"""Worker threads, each with an event loop of its own, that run GraphQL work off the server's event loop.

A document that invokes thousands of resolvers spends seconds of CPU in graphql-core and the resolvers'
code; on the server's loop that would hold every other request and WebSocket for as long. On a worker
thread it shares the interpreter (the GIL hands over every few milliseconds) and the server keeps
answering. Nothing the work touches is bound to a loop: resolvers reach DynamoDB and Lambda handlers via
`asyncio.to_thread`, and the APPSYNC_JS runner keeps one engine per thread.

Work runs in one of two lanes, each with its own workers and its own threads for blocking calls: heavy
documents (long, introspecting, or selecting many fields) in one, every other document in the other. A few
clients sending the heaviest documents the limits allow then only queue behind one another; they never take
the workers or blocking threads an ordinary request needs.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

# On two cores more threads do not add throughput; a few let a short request pass a long one.
DEFAULT_WORKERS = 4
# Every runnable thread delays every GIL hand-over of an ordinary request: heavy documents get few of them
# and wait for one another.
HEAVY_WORKERS = 1
# Blocking calls (boto3, Lambda handlers) that work on a lane's loops makes, shared by the lane's workers.
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
    """Runs coroutines on worker threads' event loops, each bounded by a deadline, in two lanes."""

    def __init__(self, workers: int = DEFAULT_WORKERS, heavy_workers: int = HEAVY_WORKERS) -> None:
        self._ordinary = _Lane("execution", workers, BLOCKING_CALL_THREADS)
        self._heavy = _Lane("heavy", heavy_workers, HEAVY_BLOCKING_CALL_THREADS)

    async def run(
        self, work: Callable[[], Coroutine[Any, Any, T]], timeout: float, *, heavy: bool = False
    ) -> T:
        """Await `work()` run on a worker of the ordinary or the heavy lane; TimeoutError once `timeout`
        seconds have passed.

        The caller gets TimeoutError at the deadline even while the worker is inside synchronous code; the
        worker cancels its own coroutine at the same deadline, at its next await.
        """
        deadline = time.monotonic() + timeout
        lane = self._heavy if heavy else self._ordinary

        def on_worker() -> T:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            return lane.loop().run_until_complete(asyncio.wait_for(work(), remaining))

        future = asyncio.wrap_future(lane.pool.submit(on_worker))
        return await asyncio.wait_for(future, timeout)

    def shutdown(self) -> None:
        self._ordinary.shutdown()
        self._heavy.shutdown()
