"""Worker threads, each with an event loop of its own, that run GraphQL work off the server's event loop.

A document that invokes thousands of resolvers spends seconds of CPU in graphql-core and the resolvers'
code; on the server's loop that would hold every other request and WebSocket for as long. On a worker
thread it shares the interpreter (the GIL hands over every few milliseconds) and the server keeps
answering. Nothing the work touches is bound to a loop: resolvers reach DynamoDB and Lambda handlers via
`asyncio.to_thread`, and the APPSYNC_JS runner keeps one engine per thread.
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
# Blocking calls (boto3, Lambda handlers) that work on the workers' loops makes, shared by all of them.
BLOCKING_CALL_THREADS = 16


class ExecutionThreads:
    """Runs coroutines on worker threads' event loops, each bounded by a deadline."""

    def __init__(self, workers: int = DEFAULT_WORKERS) -> None:
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="graphql-execution")
        self._blocking = ThreadPoolExecutor(BLOCKING_CALL_THREADS, thread_name_prefix="graphql-blocking")
        self._local = threading.local()

    def _loop(self) -> asyncio.AbstractEventLoop:
        loop: asyncio.AbstractEventLoop | None = getattr(self._local, "loop", None)
        if loop is None:
            loop = self._local.loop = asyncio.new_event_loop()
            loop.set_default_executor(self._blocking)
        return loop

    async def run(self, work: Callable[[], Coroutine[Any, Any, T]], timeout: float) -> T:
        """Await `work()` run on a worker; TimeoutError once `timeout` seconds have passed.

        The caller gets TimeoutError at the deadline even while the worker is inside synchronous code; the
        worker cancels its own coroutine at the same deadline, at its next await.
        """
        deadline = time.monotonic() + timeout

        def on_worker() -> T:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            return self._loop().run_until_complete(asyncio.wait_for(work(), remaining))

        future = asyncio.wrap_future(self._pool.submit(on_worker))
        return await asyncio.wait_for(future, timeout)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._blocking.shutdown(wait=False, cancel_futures=True)
