"""The AppSync realtime client of `realtime.py`, and its subscribers' process.

Run as a script, this is the process holding a fan-out's subscribers, so that the process timing the mutation
reads nothing else. It imports only websockets and the standard library (the bench's `_common` would import
the runtime, moto and boto3: ~2 s and ~140 MB per start). It speaks JSON lines, stdin to stdout:

* in: ``{"url": ..., "start": ..., "count": N}``: open N connections (``connection_init`` ->
  ``connection_ack``), send each the ``start`` message and wait for its ``start_ack``;
  out: ``{"subscribed": N, "cpu": seconds}``, or ``{"error": "..."}`` and it exits;
* in: ``{"report": post_id, "deadline": monotonic}``: out, once every subscriber has received the post or the
  deadline (``time.monotonic()``, CLOCK_MONOTONIC: the same clock in every process) has passed,
  ``{"post": post_id, "times": [monotonic receipt time, ...], "cpu": seconds}``; ``cpu`` is this process's
  CPU time so far;
* end of input: it closes every connection and exits.

Each receipt time is when the bytes carrying the message reached this process: once a subscriber's
``start_ack`` has come, its connection's frames are read by `FrameReader` (the connection's asyncio protocol from
then on, in place of websockets'), which stamps each chunk as the event loop hands it over, before parsing it.
With 1,000 connections answered at once, a reader with more work per message (websockets' parsing, a reader
coroutine woken per message) measured this process working through them as much as the server: its p99 was
35-95 ms above its p50 for both peers.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

HANDSHAKE_TIMEOUT_SECONDS = 30.0
OPEN_CONCURRENCY = 64


class ProtocolError(RuntimeError):
    """The server answered with something other than the AppSync realtime protocol's next message."""


def connection_url(ws_url: str, host: str, api_key: str) -> str:
    header = {"host": host, "x-api-key": api_key}
    encoded = base64.b64encode(json.dumps(header).encode()).decode()
    return f"{ws_url}?header={encoded}&payload=e30="


def start_message(subscription_id: str, query: str, host: str, api_key: str) -> str:
    return json.dumps(
        {
            "id": subscription_id,
            "type": "start",
            "payload": {
                "data": json.dumps({"query": query, "variables": {}}),
                "extensions": {"authorization": {"host": host, "x-api-key": api_key}},
            },
        }
    )


async def _expect(ws: ClientConnection, kind: str) -> dict[str, Any]:
    """The next message that is not a keep-alive; it must be of type `kind`."""
    while True:
        message = json.loads(await ws.recv())
        if message.get("type") == "ka":
            continue
        if message.get("type") != kind:
            raise ProtocolError(f"expected {kind}, got {json.dumps(message)[:500]}")
        return dict(message)


async def open_connection(url: str) -> ClientConnection:
    """One acknowledged AppSync connection (connection_init -> connection_ack), as a client would open it."""
    ws = await connect(
        url,
        subprotocols=["graphql-ws"],  # type: ignore[list-item]
        open_timeout=HANDSHAKE_TIMEOUT_SECONDS,
        ping_interval=None,  # AppSync clients rely on the server's `ka`; the server's pings are still answered
        max_queue=None,
    )
    try:
        await ws.send(json.dumps({"type": "connection_init"}))
        await asyncio.wait_for(_expect(ws, "connection_ack"), HANDSHAKE_TIMEOUT_SECONDS)
    except BaseException:
        await ws.close()
        raise
    return ws


def subscriber(start: str) -> Callable[[ClientConnection], Awaitable[None]]:
    """What makes an open connection a subscriber: `start`, then its `start_ack`."""

    async def subscribe(ws: ClientConnection) -> None:
        await ws.send(start)
        await asyncio.wait_for(_expect(ws, "start_ack"), HANDSHAKE_TIMEOUT_SECONDS)

    return subscribe


async def open_many(
    url: str, count: int, prepare: Callable[[ClientConnection], Awaitable[None]] | None = None
) -> tuple[list[ClientConnection], BaseException | None]:
    """Up to `count` connections, `OPEN_CONCURRENCY` handshakes at a time; stops at the first failure."""
    opened: list[ClientConnection] = []
    failure: BaseException | None = None
    semaphore = asyncio.Semaphore(OPEN_CONCURRENCY)
    stop = asyncio.Event()

    async def one() -> None:
        nonlocal failure
        async with semaphore:
            if stop.is_set():
                return
            try:
                ws = await open_connection(url)
                if prepare is not None:
                    await prepare(ws)
                opened.append(ws)
            except (OSError, WebSocketException, TimeoutError, ProtocolError) as exc:
                failure = failure or exc
                stop.set()

    await asyncio.gather(*(one() for _ in range(count)))
    return opened, failure


async def close_all(connections: list[ClientConnection]) -> None:
    semaphore = asyncio.Semaphore(256)

    async def one(ws: ClientConnection) -> None:
        async with semaphore:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(), 5)

    await asyncio.gather(*(one(ws) for ws in connections))
    connections.clear()


def event_loop_policy() -> None:
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


# -- the subscribers' process -------------------------------------------------------------------------

_TEXT, _CONTINUATION, _CLOSE, _PING, _PONG = 0x1, 0x0, 0x8, 0x9, 0xA


def _client_frame(opcode: int, payload: bytes) -> bytes:
    """A masked control frame (a client's frames are masked; control payloads are under 126 bytes)."""
    mask = os.urandom(4)
    masked = bytes(byte ^ mask[n % 4] for n, byte in enumerate(payload))
    return bytes((0x80 | opcode, 0x80 | len(payload))) + mask + masked


class FrameReader(asyncio.Protocol):
    """A subscribed connection's protocol: server frames (unmasked) parsed here, each whole text message given
    to `on_message` with the `time.monotonic()` at which its last bytes reached this process; pings are
    answered, a close frame is answered and ends the connection."""

    def __init__(self, transport: asyncio.Transport, on_message: Callable[[bytes, float], None]) -> None:
        self.transport = transport
        self.on_message = on_message
        self._buffer = bytearray()
        self._fragments = bytearray()

    def data_received(self, data: bytes) -> None:
        arrived = time.monotonic()
        buffer = self._buffer
        buffer += data
        while len(buffer) >= 2:
            first, length, offset = buffer[0], buffer[1] & 0x7F, 2
            if length == 126:
                if len(buffer) < 4:
                    return
                length, offset = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                length, offset = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < offset + length:
                return
            payload = bytes(buffer[offset : offset + length])
            del buffer[: offset + length]
            opcode = first & 0x0F
            if opcode in (_TEXT, _CONTINUATION):
                self._fragments += payload
                if first & 0x80:  # FIN: the message is whole
                    message = bytes(self._fragments)
                    self._fragments.clear()
                    self.on_message(message, arrived)
            elif opcode == _PING:
                self.transport.write(_client_frame(_PONG, payload))
            elif opcode == _CLOSE:
                self.transport.write(_client_frame(_CLOSE, payload[:2]))
                self.transport.close()
                return

    def connection_lost(self, exc: Exception | None) -> None:
        self._buffer.clear()

    def close(self) -> None:
        """Close normally (1000), without waiting for the server's answer."""
        if not self.transport.is_closing():
            self.transport.write(_client_frame(_CLOSE, (1000).to_bytes(2, "big")))
            self.transport.close()


def read_frames(ws: ClientConnection, on_message: Callable[[bytes, float], None]) -> FrameReader:
    """Hand `ws`'s transport to a `FrameReader` (after its handshake and subscription, with nothing unread)."""
    transport = ws.transport
    reader = FrameReader(transport, on_message)
    transport.set_protocol(reader)
    return reader


def _reply(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def serve_subscribers() -> int:
    loop = asyncio.get_running_loop()
    commands = asyncio.StreamReader(limit=2**20)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(commands), sys.stdin)
    request = json.loads(await commands.readline())
    count = int(request["count"])
    connections, failure = await open_many(request["url"], count, subscriber(request["start"]))
    if failure is not None or len(connections) != count:
        await close_all(connections)
        _reply({"error": f"only {len(connections)} of {count} subscribers connected: {failure!r}"})
        return 1

    receipts: dict[str, list[float]] = {}
    complete: dict[str, asyncio.Event] = {}
    reported: set[str] = set()

    def received(raw: bytes, arrived: float) -> None:
        message = json.loads(raw)
        if message.get("type") != "data":
            return
        post_id = message["payload"]["data"]["onCreatePost"]["id"]
        if post_id in reported:
            return  # after its deadline
        times = receipts.setdefault(post_id, [])
        times.append(arrived)
        if len(times) == count:
            complete.setdefault(post_id, asyncio.Event()).set()

    readers = [read_frames(ws, received) for ws in connections]
    try:
        _reply({"subscribed": len(connections), "cpu": time.process_time()})
        while line := await commands.readline():
            command = json.loads(line)
            post_id, deadline = str(command["report"]), float(command["deadline"])
            done = complete.setdefault(post_id, asyncio.Event())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), max(0.0, deadline - time.monotonic()))
            reported.add(post_id)
            complete.pop(post_id, None)
            _reply({"post": post_id, "times": receipts.pop(post_id, []), "cpu": time.process_time()})
    finally:
        for reader in readers:
            reader.close()
    return 0


def main() -> int:
    event_loop_policy()
    try:
        return asyncio.run(serve_subscribers())
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
