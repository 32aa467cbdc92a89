"""uvicorn's sans-io WebSocket protocol, holding less for each open connection.

uvicorn keeps the upgrade's parsed request and its handshake response as long as the connection stays open,
though it reads neither again once the response is sent. This protocol lets go of both then: the response
and its headers are freed (~2 KiB per connection; the request stays alive as long as websockets' parser,
which holds it too). Everything else is uvicorn's own behaviour.
"""

from __future__ import annotations

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    """`WebSocketsSansIOProtocol` that drops the handshake's response and request once the response is sent.

    uvicorn starts its ping timer right after writing the handshake's response, once per connection: the
    hook costs nothing on the path every message takes.
    """

    def start_keepalive(self) -> None:
        self.request = None  # type: ignore[assignment]
        self.response = None  # type: ignore[assignment]
        super().start_keepalive()
