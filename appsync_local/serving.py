"""Serving an ASGI app with uvicorn: in the foreground (`make run`) or on a thread (tests, benchmarks)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any, Self

import uvicorn

from .foreground import STOP_SIGNALS, bind_socket
from .http_protocol import StoppableHttpProtocol
from .ws_protocol import LeanWebSocketProtocol

# The largest WebSocket message uvicorn reads (its default is 16 MiB). The realtime protocol answers a
# message over AppSync's 240 KB with LimitExceededError; one over this is refused as its frame header
# arrives (close code 1009, "message too big"), before its payload is read.
WS_MAX_MESSAGE_BYTES = 512 * 1024
# How long a stop waits for open connections and requests under way before cancelling them (uvicorn waits
# without a limit by default: one connection that never closed held SIGINT/SIGTERM indefinitely).
GRACEFUL_STOP_SECONDS = 10


class _RequestCancelledByStop(logging.Filter):
    """A request cancelled because a stop's bound ran out is one line in the log, not the traceback uvicorn logs
    for it as for an application error."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], asyncio.CancelledError):
            record.msg = (
                f"a request under way was cancelled: the stop waits {GRACEFUL_STOP_SECONDS} s at most"
            )
            record.args, record.exc_info = (), None
        return True


_CANCELLED_BY_STOP = _RequestCancelledByStop()


def _loop_setting() -> str:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return "asyncio"
    return "uvloop"


def uvicorn_config(app: Any, *, log_level: str = "warning", **kwargs: Any) -> uvicorn.Config:
    """uvicorn with uvloop and httptools where available (several times faster than the pure-Python stack)."""
    logging.getLogger("uvicorn.error").addFilter(_CANCELLED_BY_STOP)  # once: a logger keeps a filter once
    # No per-message deflate: realtime messages are small, and compressing each one per connection cost
    # a quarter of a fan-out's CPU (bench/README.md) and memory per idle connection.
    return uvicorn.Config(
        app,
        loop=_loop_setting(),
        http=StoppableHttpProtocol,  # httptools
        ws=LeanWebSocketProtocol,  # uvicorn's websockets-sansio, lighter per connection
        ws_per_message_deflate=False,
        ws_max_size=WS_MAX_MESSAGE_BYTES,
        # The runtime is the API's front itself (it adds AppSync's forwarded headers): a client's own
        # X-Forwarded-For must not stand in for its address (identity.sourceIp), as uvicorn would let it
        # for loopback clients by default.
        proxy_headers=False,
        log_level=log_level,
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_STOP_SECONDS,
        **kwargs,
    )


class _ForegroundServer(uvicorn.Server):
    """A uvicorn server that leaves signals to `run_servers`, which stops every server together.

    (uvicorn's own handling raises the signal again once stopped, which ends the process by that
    signal before the caller could stop what it started.)
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def _serve_all(servers: Sequence[tuple[uvicorn.Server, socket.socket]]) -> None:
    loop = asyncio.get_running_loop()

    def stop() -> None:
        for server, _ in servers:
            # A second Ctrl+C stops without waiting for open connections, as uvicorn does.
            server.force_exit = server.should_exit
            server.should_exit = True

    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop)
    await asyncio.gather(*(server.serve(sockets=[sock]) for server, sock in servers))


def run_servers(servers: list[tuple[uvicorn.Config, socket.socket]]) -> None:
    """Serve each config on its socket, in one event loop (one app, one state), until SIGINT or SIGTERM."""
    running = [(_ForegroundServer(config), sock) for config, sock in servers]
    with asyncio.Runner(loop_factory=servers[0][0].get_loop_factory()) as runner:
        runner.run(_serve_all(running))


class BackgroundServer:
    """An ASGI app served on 127.0.0.1 (port 0 = a free port) from a daemon thread; stops on `stop()`."""

    def __init__(self, app: Any = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self._socket = bind_socket(host, port)
        self.host, self.port = self._socket.getsockname()[:2]
        self._server = uvicorn.Server(uvicorn_config(app)) if app is not None else None
        self._thread = threading.Thread(target=self._run, name=f"asgi-{self.port}", daemon=True)

    def serve(self, app: Any) -> Self:
        """Set the app to serve (when its URL had to be known before it was built), and start."""
        self._server = uvicorn.Server(uvicorn_config(app))
        return self.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _run(self) -> None:
        assert self._server is not None
        self._server.run(sockets=[self._socket])

    def start(self, timeout: float = 15) -> Self:
        if self._server is None:
            raise RuntimeError("no app to serve: pass it to BackgroundServer() or serve()")
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server on port {self.port} did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
