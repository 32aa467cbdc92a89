"""An open WebSocket served by callbacks: no task, queue or ASGI scope held while the connection is idle.

After the handshake, the transport is handed from uvicorn's protocol to a `MessageSocket`. Frames are decoded
as bytes arrive (websockets' sans-I/O protocol: masking, fragmentation, control frames, the size limit and the
closing handshake), each whole text message goes to the handler's `message_received`, and messages are written
straight to the transport. Between messages a connection is this object, its parser and its transport.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from websockets.frames import CloseCode, Frame, Opcode
from websockets.protocol import State
from websockets.server import ServerProtocol

logger = logging.getLogger("appsync_local.websocket")

# The ASGI scope extension through which an app hands an accepted WebSocket over to a `MessageSocket`:
# ``await scope["extensions"][HAND_OVER](subprotocol, handler)`` -> the socket, or None (serve it through ASGI).
HAND_OVER = "appsync_local.websocket.hand_over"
# How long a close frame waits for the client's reply before the TCP connection is closed anyway (uvicorn's).
CLOSE_TIMEOUT_SECONDS = 10.0


class SocketClosed(Exception):
    """The WebSocket is closed or closing: nothing more can be sent."""


class MessageHandler(Protocol):
    """What a `MessageSocket` tells its owner."""

    def message_received(self, text: str) -> None:
        """A whole message arrived (binary messages are passed on decoded as UTF-8, or as "\\x00")."""

    def socket_closed(self) -> None:
        """The connection is gone (closed by either side, or lost); called once."""


class MessageSocket(asyncio.Protocol):
    """One open WebSocket: decode what arrives, hand whole messages to `handler`, write what is sent.

    Parameters
    ----------
    transport
        The upgraded connection; the caller makes this object its protocol (`transport.set_protocol`).
    handler
        Receives each message and, once, the end of the connection.
    max_size
        The largest message read; a larger one closes the connection with 1009 as its header arrives.
    connections
        The server's set of open connections: this socket is in it while open, so that stopping the server
        closes it (with 1012, as uvicorn closes its own WebSockets).
    """

    __slots__ = (
        "_close_timer",
        "_connections",
        "_drained",
        "_fragmented",
        "_fragments",
        "_handler",
        "_transport",
        "_ws",
    )

    def __init__(
        self,
        transport: asyncio.Transport,
        handler: MessageHandler,
        *,
        max_size: int,
        connections: set[object],
    ) -> None:
        self._transport = transport
        self._handler: MessageHandler | None = handler
        self._ws = ServerProtocol(state=State.OPEN, max_size=max_size, logger=logger)
        self._connections = connections
        self._drained: asyncio.Future[None] | None = None
        self._close_timer: asyncio.TimerHandle | None = None
        # The frames of a fragmented message so far, and its opcode; None between messages.
        self._fragments: list[bytes] | None = None
        self._fragmented = Opcode.TEXT
        connections.add(self)

    # -- sending ---------------------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self._ws.state is State.OPEN and not self._transport.is_closing()

    async def send_text(self, text: str) -> None:
        """Send one text message; waits while the client reads too slowly for the transport's buffer."""
        while self._drained is not None:
            await asyncio.shield(self._drained)
        if not self.is_open:
            raise SocketClosed()
        self._ws.send_text(text.encode())
        self._flush()

    def send_now(self, text: str) -> bool:
        """Write one text message at once if the transport takes it without waiting; False if it cannot."""
        if self._drained is not None or not self.is_open:
            return False
        self._ws.send_text(text.encode())
        self._flush()
        return True

    async def close(self, code: int = CloseCode.NORMAL_CLOSURE, reason: str = "") -> None:
        """Start the closing handshake; the TCP connection closes on the client's reply (or a timeout)."""
        if not self.is_open:
            return
        self._ws.send_close(code, reason)
        self._flush()
        if not self._transport.is_closing():
            loop = asyncio.get_running_loop()
            self._close_timer = loop.call_later(CLOSE_TIMEOUT_SECONDS, self._transport.close)

    def shutdown(self) -> None:
        """The server is stopping (uvicorn calls this on each connection it holds)."""
        if self.is_open:
            self._ws.send_close(CloseCode.SERVICE_RESTART)
            self._flush()
        self._transport.close()

    def _flush(self) -> None:
        for chunk in self._ws.data_to_send():
            if self._transport.is_closing():
                continue
            if chunk:
                self._transport.write(chunk)
            else:  # websockets' end-of-stream mark: the closing handshake is over, or the client failed
                self._transport.close()

    # -- asyncio.Protocol ------------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        ws = self._ws
        # Messages that arrive once the server has sent its close are dropped (the frames before a client's
        # close, received with it, are not).
        was_open = ws.state is State.OPEN
        ws.receive_data(data)
        for event in ws.events_received() if was_open else ():
            if isinstance(event, Frame) and not self._frame_received(event):
                break
        self._flush()

    def _frame_received(self, frame: Frame) -> bool:
        """Pass on a whole message; False once the connection failed (nothing after it is read)."""
        opcode = frame.opcode
        if opcode is Opcode.TEXT or opcode is Opcode.BINARY:
            if frame.fin:
                return self._deliver(opcode, frame.data)
            else:
                self._fragments = [bytes(frame.data)]
                self._fragmented = opcode
        elif opcode is Opcode.CONT and self._fragments is not None:
            self._fragments.append(bytes(frame.data))
            if frame.fin:
                data, self._fragments = b"".join(self._fragments), None
                return self._deliver(self._fragmented, data)
        # PING (websockets queued the PONG), PONG and CLOSE (queued its reply) need nothing more here.
        return True

    def _deliver(self, opcode: Opcode, data: bytes | bytearray | memoryview) -> bool:
        if self._handler is None:
            return False
        try:
            text = bytes(data).decode()
        except UnicodeDecodeError:
            if opcode is Opcode.TEXT:
                self._ws.fail(CloseCode.INVALID_DATA, "invalid UTF-8 in a text message")
                return False
            text = "\x00"  # binary that is not UTF-8: not JSON, reported as such by the handler
        self._handler.message_received(text)
        return True

    def eof_received(self) -> bool:
        self._ws.receive_eof()
        self._flush()
        return False  # the transport closes itself

    def pause_writing(self) -> None:
        if self._drained is None:
            self._drained = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        self._release_writers()

    def _release_writers(self) -> None:
        drained, self._drained = self._drained, None
        if drained is not None and not drained.done():
            drained.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        self._connections.discard(self)
        if self._close_timer is not None:
            self._close_timer.cancel()
            self._close_timer = None
        self._release_writers()  # a sender waiting for the buffer to drain learns the socket is closed
        handler, self._handler = self._handler, None
        if handler is not None:
            handler.socket_closed()
