"""A connection's outbox: a fan-out never waits on a client, and a client too far behind is let go."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
from starlette.websockets import WebSocketState

from appsync_local.realtime.server import OUTBOX_LIMIT, AppSyncConnection, SubscriberTooSlow


class StalledSocket:
    """A client that never reads: every send waits until `release` is set."""

    def __init__(self) -> None:
        self.application_state = WebSocketState.CONNECTED
        self.headers: dict[str, str] = {"host": "localhost"}
        self.client = SimpleNamespace(host="127.0.0.1")
        self.release = asyncio.Event()
        self.sent: list[str] = []

    async def send_text(self, text: str) -> None:
        await self.release.wait()
        self.sent.append(text)


def connection(socket: StalledSocket) -> AppSyncConnection:
    endpoint: Any = SimpleNamespace(registry=SimpleNamespace(remove_connection=lambda _id: 0))
    return AppSyncConnection(socket, endpoint)  # type: ignore[arg-type]


async def test_posting_never_waits_and_a_client_too_far_behind_is_refused() -> None:
    # GIVEN a client that reads nothing
    socket = StalledSocket()
    conn = connection(socket)
    # WHEN subscription messages are posted to it, up to the limit
    for n in range(OUTBOX_LIMIT):
        conn.post(f"m{n}")
    # THEN posting returned at once each time, and one more is refused rather than queued without bound
    with pytest.raises(SubscriberTooSlow):
        conn.post("one too many")
    # AND once the client reads again, it gets every queued message, in order
    socket.release.set()
    async with asyncio.timeout(5):
        while len(socket.sent) < OUTBOX_LIMIT:
            await asyncio.sleep(0)
    assert socket.sent == [f"m{n}" for n in range(OUTBOX_LIMIT)]
    conn.release()


async def test_an_idle_connection_holds_no_writer_task_and_no_outbox() -> None:
    # GIVEN a client that reads what it is sent
    socket = StalledSocket()
    socket.release.set()
    conn = connection(socket)
    assert (conn._writer, conn._outbox) == (None, None)
    # WHEN two messages are posted and delivered
    conn.post("one")
    conn.post("two")
    writer = conn._writer
    assert writer is not None
    async with asyncio.timeout(5):
        await writer
    # THEN the client got both, and the connection went back to holding neither a task nor a queue
    assert socket.sent == ["one", "two"]
    assert (conn._writer, conn._outbox) == (None, None)
    # AND a later message starts a writer again
    conn.post("three")
    async with asyncio.timeout(5):
        await conn._writer  # type: ignore[misc]
    assert socket.sent == ["one", "two", "three"]
    conn.release()


class ImmediateSocket:
    """A socket that writes at once while the client keeps up (`MessageSocket`), and waits when it does not."""

    def __init__(self) -> None:
        self.keeping_up = True
        self.release = asyncio.Event()
        self.sent: list[str] = []

    @property
    def is_open(self) -> bool:
        return True

    def send_now(self, text: str) -> bool:
        if not self.keeping_up:
            return False
        self.sent.append(text)
        return True

    async def send_text(self, text: str) -> None:
        await self.release.wait()
        self.sent.append(text)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        pass


async def test_a_client_that_keeps_up_is_written_to_at_once_and_one_that_does_not_gets_an_outbox() -> None:
    # GIVEN a connection whose socket can write at once
    conn = connection(StalledSocket())
    socket = ImmediateSocket()
    conn.socket = socket
    # WHEN a message is posted
    conn.post("one")
    # THEN it was written before `post` returned, with no writer task and no outbox
    assert socket.sent == ["one"]
    assert (conn._writer, conn._outbox) == (None, None)
    # WHEN the client falls behind (the socket would have to wait)
    socket.keeping_up = False
    conn.post("two")
    conn.post("three")
    # THEN the messages wait in the outbox, and a message posted once the client keeps up again still
    # comes after them
    socket.keeping_up = True
    conn.post("four")
    assert socket.sent == ["one"]
    socket.release.set()
    async with asyncio.timeout(5):
        await conn._writer  # type: ignore[misc]
    assert socket.sent == ["one", "two", "three", "four"]
    assert (conn._writer, conn._outbox) == (None, None)
    conn.release()
