"""Request bodies capped while they are read: AppSync's 5 MB payload quota, enforced before a route runs.

Starlette reads a whole body before a route can look at its size, so a 300 MB POST would be held in memory
just to be refused, and one that declares ``Content-Length: 10000000000`` would be waited for. This ASGI
middleware answers 413 at once when the declared length is over the cap, and stops reading (413 too) as
soon as a streamed body passes it. Either way the unread rest of the body is never read, so the answer
says ``Connection: close`` and the server closes the connection after it.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import RequestError


class BodyTooLarge(Exception):
    """The body being read passed the cap."""


class BodyLimit:
    """ASGI middleware refusing HTTP request bodies over `max_bytes` with `error` (HTTP 413)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, error: RequestError) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.error = error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        started = False

        async def capped_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, capped_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(self.error.body()).encode()
        await send(
            {
                "type": "http.response.start",
                "status": self.error.status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"x-amzn-errortype", self.error.error_type.encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
