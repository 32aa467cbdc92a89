"""uvicorn's HTTP/1.1 protocol (httptools), except that a stopping server drops an idle TLS connection at once."""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class StoppableHttpProtocol(HttpToolsProtocol):
    """When the server stops, uvicorn closes each idle keep-alive connection. Over TLS, closing waits for the
    client's close_notify, which an idle client never sends (it is not reading): every such connection (an SDK's
    connection pool, a browser tab on the HTTPS port) held the stop for asyncio's SSL shutdown timeout, 30 s.
    An idle connection has nothing in flight, so it is aborted instead; a connection with a request under way
    still finishes it, as uvicorn does."""

    def shutdown(self) -> None:
        idle = self.cycle is None or self.cycle.response_complete
        if idle and self.transport.get_extra_info("sslcontext") is not None:
            self.transport.abort()
        else:
            super().shutdown()
