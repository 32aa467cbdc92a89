"""uvicorn's sans-io WebSocket protocol, holding less for each open connection.

uvicorn keeps the upgrade's parsed request and its handshake response (two header maps, ~5 KiB) for as long
as the connection stays open, though neither is read again once the handshake's response is sent. With
thousands of idle realtime clients that is most of what a connection costs, so this protocol lets go of them
then. Everything else is uvicorn's own behaviour.
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    """`WebSocketsSansIOProtocol` that drops the handshake's request and response once it is complete."""

    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.accept" and self.handshake_complete:
            self.request = None  # type: ignore[assignment]
            self.response = None  # type: ignore[assignment]
