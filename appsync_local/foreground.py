"""What a server run in the foreground takes before anything else starts: its listening sockets and the stop
signals. Light to import: `make run` takes them, and launches DynamoDB Local, before the runtime's imports."""

from __future__ import annotations

import contextlib
import signal
import socket
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any, Self

# uvicorn's default backlog, which it applies again when it starts serving.
LISTEN_BACKLOG = 2048
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A socket listening on HOST:PORT (port 0 = a free port); a taken port fails here, with OSError.

    It listens at once, so a client that connects before the server runs waits in the backlog instead of
    being refused, and a second server on the same port fails now rather than when it starts serving.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(LISTEN_BACKLOG)
    except BaseException:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


SignalHandler = Callable[[int, FrameType | None], Any] | int | None


class StopRequested(BaseException):
    """SIGINT or SIGTERM during start-up: raised where the main thread is, so start-up unwinds as from Ctrl+C.

    Not KeyboardInterrupt: CPython records a KeyboardInterrupt that leaves code run by `exec` of a string
    (`dataclasses` makes each class's methods so, at import) as unhandled even once it has been caught, and
    at exit then ends the process by SIGINT (status -2, no traceback) instead of the status it returned.
    """


class StopSignals:
    """SIGINT and SIGTERM for a server run in the foreground, outside its event loop.

    Until serving begins, the first one interrupts like Ctrl+C (`StopRequested`), so whatever has
    started is stopped on the way out (inside `deferred`, once its block has ended); while serving,
    `run_servers` handles them in the event loop; once stopping, further ones are ignored, so that stopping
    child processes and saving data both finish.
    """

    def __init__(self) -> None:
        self.is_stopping = False
        self._previous: dict[int, SignalHandler] = {}
        self._deferring = False
        self._deferred = False

    def __enter__(self) -> Self:
        self._previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
        self._install()
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            if handler is not None:
                signal.signal(sig, handler)

    def stopping(self) -> None:
        """Serving has ended: clean-up follows, which no signal interrupts."""
        self.is_stopping = True
        self._install()  # the event loop, closing, put the default handlers back

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """A stop signal during the block interrupts as it ends, not inside it: a child process being spawned
        is then known to its owner, which stops it on the way out (interrupted inside `subprocess.Popen`, the
        child would run on, unknown)."""
        self._deferring = True
        try:
            yield
        finally:
            self._deferring = False
        if self._deferred:
            raise StopRequested

    def _install(self) -> None:
        for sig in STOP_SIGNALS:
            signal.signal(sig, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if not self.is_stopping:
            self.is_stopping = True
            if self._deferring:
                self._deferred = True
                return
            raise StopRequested
