"""uvicorn's sans-io WebSocket protocol, holding less for each open connection.

uvicorn keeps the upgrade's parsed request and its handshake response as long as the connection stays open,
though it reads neither again once the response is sent. This protocol lets go of both then: the response
and its headers are freed (~2 KiB per connection; the request stays alive as long as websockets' parser,
which holds it too).

It also offers the ASGI app a way out of ASGI for a connection it has accepted: the ``HAND_OVER`` scope
extension accepts the upgrade and hands the transport to a callback-driven `MessageSocket`, so that an idle
connection holds no ASGI scope, no suspended coroutine chain through the app's middleware, no queue and no
parser still holding the upgrade request. Everything else is uvicorn's own behaviour.
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from .ws_message_socket import HAND_OVER, MessageHandler, MessageSocket


class _HandedOver:
    """Stands in for a transport that now belongs to a `MessageSocket`: uvicorn's protocol must not touch it."""

    def is_closing(self) -> bool:
        return True

    def close(self) -> None:
        pass

    def write(self, data: bytes) -> None:
        pass


_HANDED_OVER: Any = _HandedOver()


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    """`WebSocketsSansIOProtocol` that drops the handshake's response and request once the response is sent,
    and can hand an accepted connection over to a `MessageSocket` (the ``HAND_OVER`` scope extension).

    uvicorn starts its ping timer right after writing the handshake's response, once per connection: the
    hook costs nothing on the path every message takes.
    """

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        if not self.handshake_complete:  # the upgrade goes to the app (not refused by websockets' checks)
            extensions: dict[str, Any] = self.scope["extensions"]
            extensions[HAND_OVER] = self.hand_over

    def start_keepalive(self) -> None:
        self.request = None  # type: ignore[assignment]
        self.response = None  # type: ignore[assignment]
        super().start_keepalive()

    async def hand_over(self, subprotocol: str | None, handler: MessageHandler) -> MessageSocket | None:
        """Accept the upgrade with `subprotocol` and serve the connection with a `MessageSocket` from now on.

        Returns None, having done nothing, when the connection cannot be handed over: the handshake is
        already answered, the client went away, or it sent data before the handshake's answer (RFC 6455
        forbids it; the app then serves the connection through ASGI as usual).
        """
        if self.handshake_complete or self.queue.qsize() > 1 or self.conn.reader.buffer:
            return None
        self.scope["extensions"].pop(HAND_OVER, None)
        # uvicorn's own accept: the response, its headers and its log line, exactly as for websocket.accept.
        await self.send({"type": "websocket.accept", "subprotocol": subprotocol, "headers": []})
        if not self.handshake_complete or self.disconnected:
            return None
        # No await from the response's write to here: nothing the client sent since can have been read.
        self.stop_keepalive()
        transport = self.transport
        socket = MessageSocket(
            transport, handler, max_size=self.config.ws_max_size, connections=self.connections
        )
        self.connections.discard(self)
        transport.set_protocol(socket)
        # uvicorn's protocol lives on until the app returns: it must neither write to nor close the transport.
        self.transport = _HANDED_OVER
        self.disconnected = True
        self.queue.put_nowait({"type": "websocket.disconnect", "code": 1000})
        return socket
