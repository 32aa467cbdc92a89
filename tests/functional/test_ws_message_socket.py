"""A WebSocket handed over from ASGI to a `MessageSocket`: what a client sees, over real sockets.

The app under test accepts every upgrade by handing it over to an echo handler (``close`` asks the server to
close with 4000, ``binary`` makes it answer with nothing). Raw-frame tests speak RFC 6455 byte by byte, to send
what well-behaved clients never send.
"""

from __future__ import annotations

import asyncio
import base64
import os
import struct
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, ConnectionClosedError, ConnectionClosedOK

from appsync_local.serving import WS_MAX_MESSAGE_BYTES, BackgroundServer
from appsync_local.ws_message_socket import HAND_OVER, MessageSocket

TIMEOUT = 5.0


class EchoHandler:
    """Echoes each message; ``close`` makes the server close with 4000 "bye"."""

    def __init__(self, app: HandOverApp) -> None:
        self.app = app
        self.socket: MessageSocket | None = None

    def message_received(self, text: str) -> None:
        assert self.socket is not None
        self.app.received.append(text)
        if text == "close":
            asyncio.get_running_loop().create_task(self.socket.close(4000, "bye"))
        else:
            asyncio.get_running_loop().create_task(self.socket.send_text(f"echo:{text}"))

    def socket_closed(self) -> None:
        self.app.closed += 1
        self.app.changed.set()


class HandOverApp:
    """An ASGI app that hands every WebSocket over; counts the sockets handed over and closed."""

    def __init__(self) -> None:
        self.handed_over = 0
        self.closed = 0
        self.received: list[str] = []
        self.changed = threading.Event()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        assert scope["type"] == "websocket"
        handler = EchoHandler(self)
        handler.socket = await scope["extensions"][HAND_OVER]("echo", handler)
        assert handler.socket is not None
        self.handed_over += 1
        # The app returns at once: the connection lives on without it.

    def wait_closed(self, count: int) -> None:
        while self.closed < count:
            assert self.changed.wait(TIMEOUT), f"{self.closed} sockets closed, expected {count}"
            self.changed.clear()


@pytest.fixture
def served() -> Iterator[tuple[BackgroundServer, HandOverApp]]:
    app = HandOverApp()
    with BackgroundServer(app) as server:
        yield server, app


def ws_url(server: BackgroundServer) -> str:
    return f"ws://{server.host}:{server.port}/"


async def test_messages_are_echoed_after_the_app_returned(
    served: tuple[BackgroundServer, HandOverApp],
) -> None:
    server, app = served
    # GIVEN a connection accepted with the app's subprotocol, whose ASGI app has already returned
    async with connect(ws_url(server), subprotocols=["echo"]) as ws:  # type: ignore[list-item]
        assert ws.subprotocol == "echo"
        # WHEN text, non-ASCII text, a fragmented message and binary UTF-8 arrive
        await ws.send("one")
        await ws.send("zwei - ünïcode")
        await ws.send(["frag", "mented"])
        await ws.send(b"binary")
        # THEN each comes back as one message, in order
        got = [await asyncio.wait_for(ws.recv(), TIMEOUT) for _ in range(4)]
        assert got == ["echo:one", "echo:zwei - ünïcode", "echo:fragmented", "echo:binary"]
        # AND a ping is answered
        pong = await ws.ping()
        await asyncio.wait_for(pong, TIMEOUT)
    # AND closing from the client completes the closing handshake and tells the handler, once
    await asyncio.to_thread(app.wait_closed, 1)
    assert (app.handed_over, app.closed) == (1, 1)


async def test_the_server_closes_with_its_code_and_reason(
    served: tuple[BackgroundServer, HandOverApp],
) -> None:
    server, app = served
    async with connect(ws_url(server), subprotocols=["echo"]) as ws:  # type: ignore[list-item]
        # WHEN the handler closes the connection
        await ws.send("close")
        # THEN the client gets its close code and reason
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), TIMEOUT)
        assert closed.value.rcvd is not None
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4000, "bye")
    await asyncio.to_thread(app.wait_closed, 1)


async def test_a_message_over_the_limit_closes_with_1009(
    served: tuple[BackgroundServer, HandOverApp],
) -> None:
    server, _ = served
    async with connect(ws_url(server), subprotocols=["echo"], max_size=None) as ws:  # type: ignore[list-item]
        # WHEN a message over the server's limit is sent
        await ws.send("x" * (WS_MAX_MESSAGE_BYTES + 1))
        # THEN the connection closes with "message too big"
        with pytest.raises(ConnectionClosedError) as closed:
            await asyncio.wait_for(ws.recv(), TIMEOUT)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


async def test_stopping_the_server_closes_with_1012() -> None:
    # GIVEN an open connection
    app = HandOverApp()
    server = BackgroundServer(app).start()
    try:
        async with connect(ws_url(server), subprotocols=["echo"]) as ws:  # type: ignore[list-item]
            await ws.send("one")
            assert await asyncio.wait_for(ws.recv(), TIMEOUT) == "echo:one"
            # WHEN the server stops
            await asyncio.to_thread(server.stop)
            # THEN the client was told "service restart"
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), TIMEOUT)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012
    finally:
        server.stop()


async def test_a_client_that_stops_reading_holds_back_sends_without_losing_them(
    served: tuple[BackgroundServer, HandOverApp],
) -> None:
    server, _ = served
    async with connect(
        ws_url(server),
        subprotocols=["echo"],  # type: ignore[list-item]
        max_queue=None,
        write_limit=2**20,
    ) as ws:
        # GIVEN many large messages sent before the client reads any answer
        big = "y" * 64 * 1024
        for n in range(64):
            await ws.send(f"{n}:{big}")
        # THEN once it reads, every answer arrives, whole and in order
        for n in range(64):
            assert await asyncio.wait_for(ws.recv(), TIMEOUT) == f"echo:{n}:{big}"
    with pytest.raises(ConnectionClosedOK):
        await ws.recv()


# -- raw frames -------------------------------------------------------------------------------------


async def raw_upgrade(server: BackgroundServer) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection(server.host, server.port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            f"GET / HTTP/1.1\r\nHost: {server.host}:{server.port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Protocol: echo\r\n\r\n"
        ).encode()
    )
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
    assert head.startswith(b"HTTP/1.1 101"), head
    return reader, writer


def frame(opcode: int, payload: bytes, *, fin: bool = True, mask: bool = True, rsv: int = 0) -> bytes:
    first = (0x80 if fin else 0) | rsv | opcode
    key = os.urandom(4) if mask else b""
    length = len(payload)
    header = bytes([first]) + (
        bytes([(0x80 if mask else 0) | length])
        if length < 126
        else bytes([(0x80 if mask else 0) | 126]) + struct.pack("!H", length)
    )
    body = bytes(b ^ key[i % 4] for i, b in enumerate(payload)) if mask else payload
    return header + key + body


async def close_code(reader: asyncio.StreamReader) -> int:
    """The code of the close frame the server sends (skipping any data frames before it)."""
    while True:
        first, second = await asyncio.wait_for(reader.readexactly(2), TIMEOUT)
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", await reader.readexactly(2))
        payload = await reader.readexactly(length)
        if first & 0x0F == 0x8:
            return int(struct.unpack("!H", payload[:2])[0])


FORBIDDEN_FRAMES = [
    ("an unmasked frame", frame(0x1, b"hello", mask=False), 1002),
    ("a reserved bit set", frame(0x1, b"hello", rsv=0x40), 1002),
    ("a fragmented ping", frame(0x9, b"", fin=False), 1002),
    ("a text frame that is not UTF-8", frame(0x1, b"\xff\xfe"), 1007),
    ("an unknown opcode", frame(0x3, b""), 1002),
]


# Named by what is wrong: the frames' masks are random, and test ids must be the same in every collection.
@pytest.mark.parametrize(
    ("what", "data", "code"), FORBIDDEN_FRAMES, ids=[what for what, *_ in FORBIDDEN_FRAMES]
)
async def test_what_rfc_6455_forbids_closes_the_connection(
    served: tuple[BackgroundServer, HandOverApp], what: str, data: bytes, code: int
) -> None:
    server, app = served
    reader, writer = await raw_upgrade(server)
    try:
        # WHEN the client sends what a server must refuse
        writer.write(data)
        # THEN the server closes with the RFC's code, and the handler learns the connection is gone
        assert await close_code(reader) == code, what
        assert await asyncio.wait_for(reader.read(), TIMEOUT) == b""  # the server closed the TCP connection
        await asyncio.to_thread(app.wait_closed, 1)
    finally:
        writer.close()


async def test_several_frames_in_one_packet_are_each_handled(
    served: tuple[BackgroundServer, HandOverApp],
) -> None:
    server, app = served
    reader, writer = await raw_upgrade(server)
    try:
        # WHEN two messages and a close arrive in one write
        writer.write(frame(0x1, b"a") + frame(0x1, b"b") + frame(0x8, struct.pack("!H", 1000)))
        # THEN the close is echoed, and the handler got both messages, in order
        assert await close_code(reader) == 1000
        await asyncio.to_thread(app.wait_closed, 1)
        assert app.received == ["a", "b"]
    finally:
        writer.close()
