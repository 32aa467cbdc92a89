"""The two ways a realtime connection talks to its client: through ASGI, or handed over to a `MessageSocket`.

A connection is accepted through ASGI (Starlette's `WebSocket`: headers, query, subprotocols, auth). Served by
this project's uvicorn protocol, an AppSync connection is then handed over to a `MessageSocket` that calls it
back per message, and holds nothing of ASGI while idle. Served by another ASGI server, it stays on ASGI and
reads in a loop, as GraphiQL's connections always do.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Protocol

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from ..ws_message_socket import HAND_OVER, MessageHandler, MessageSocket, SocketClosed

__all__ = ["AsgiSocket", "SocketClosed", "Wire", "hand_over"]


class Wire(Protocol):
    """What a connection needs from its socket once accepted."""

    @property
    def is_open(self) -> bool: ...

    async def send_text(self, text: str) -> None:
        """Send one message; raises `SocketClosed` once the connection is closed."""

    def send_now(self, text: str) -> bool:
        """Send one message without waiting, if that is possible now; False (nothing sent) if not."""

    async def close(self, code: int = 1000, reason: str = "") -> None: ...


class AsgiSocket:
    """A Starlette `WebSocket` as a `Wire`, with the loop's `receive`."""

    __slots__ = ("_send_lock", "websocket")

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self._send_lock = asyncio.Lock()

    @property
    def is_open(self) -> bool:
        return self.websocket.application_state is WebSocketState.CONNECTED

    async def send_text(self, text: str) -> None:
        if not self.is_open:
            raise SocketClosed()
        async with self._send_lock:
            try:
                await self.websocket.send_text(text)
            except (WebSocketDisconnect, RuntimeError, OSError) as exc:
                raise SocketClosed() from exc

    def send_now(self, text: str) -> bool:
        return False  # an ASGI send is a coroutine: the connection's writer task sends it

    async def receive(self) -> str:
        """The next message as text ("\\x00" for binary that is not UTF-8); `SocketClosed` once closed."""
        message = await self.websocket.receive()
        if message["type"] == "websocket.disconnect":
            raise SocketClosed()
        text = message.get("text")
        if text is None:
            raw = message.get("bytes") or b""
            try:
                text = raw.decode()
            except UnicodeDecodeError:
                return "\x00"  # not JSON: reported as such by the caller
        return str(text)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        if self.is_open:
            with contextlib.suppress(RuntimeError, OSError, WebSocketDisconnect):
                await self.websocket.close(code=code, reason=reason)


async def hand_over(websocket: WebSocket, subprotocol: str, handler: MessageHandler) -> MessageSocket | None:
    """Accept `websocket` with `subprotocol` and hand it to a `MessageSocket` calling `handler` back.

    None when the server offers no hand-over (another ASGI server) or declines it for this connection: the
    upgrade is then still unanswered, to be accepted through ASGI.
    """
    extension: Callable[[str, MessageHandler], Awaitable[MessageSocket | None]] | None = (
        websocket.scope.get("extensions") or {}
    ).get(HAND_OVER)
    if extension is None:
        return None
    return await extension(subprotocol, handler)
