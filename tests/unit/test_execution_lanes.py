"""Heavy documents wait for one another on their worker; ordinary ones never wait for them."""

from __future__ import annotations

import asyncio
import threading

import pytest

from appsync_local.execution_threads import ExecutionThreads


def test_ordinary_work_runs_while_every_heavy_worker_is_busy() -> None:
    threads = ExecutionThreads(heavy_workers=1)
    release = threading.Event()
    started = threading.Event()

    async def heavy() -> str:
        started.set()
        release.wait(30)  # synchronous: holds its worker as a CPU-bound document would
        return "heavy"

    async def ordinary() -> str:
        return "ordinary"

    async def scenario() -> tuple[str, str, str]:
        # GIVEN the heavy lane's only worker taken, and another heavy document queued behind it
        first = asyncio.ensure_future(threads.run(heavy, 30, heavy=True))
        await asyncio.to_thread(started.wait, 30)
        queued = asyncio.ensure_future(threads.run(heavy, 30, heavy=True))
        # WHEN an ordinary document arrives, THEN it is answered at once
        answer = await threads.run(ordinary, 30)
        assert not first.done() and not queued.done()
        release.set()
        return answer, await first, await queued

    try:
        assert asyncio.run(scenario()) == ("ordinary", "heavy", "heavy")
    finally:
        release.set()
        threads.shutdown()


def test_a_heavy_document_queued_past_its_deadline_times_out() -> None:
    threads = ExecutionThreads(heavy_workers=1)
    release = threading.Event()
    started = threading.Event()

    async def blocking() -> None:
        started.set()
        release.wait(30)

    async def scenario() -> None:
        # GIVEN the heavy lane's only worker taken
        first = asyncio.ensure_future(threads.run(blocking, 30, heavy=True))
        await asyncio.to_thread(started.wait, 30)
        try:
            # WHEN another heavy document waits in the queue past its deadline, THEN it times out there
            with pytest.raises(TimeoutError):
                await threads.run(blocking, 0.2, heavy=True)
        finally:
            release.set()
            await first

    try:
        asyncio.run(scenario())
    finally:
        release.set()
        threads.shutdown()
