"""A local X-Ray daemon: it receives the segments functions send over UDP, for the invocation log.

Functions find it as on Lambda, through `AWS_XRAY_DAEMON_ADDRESS`; the X-Ray SDK sends each (sub)segment as
one datagram, a JSON header line then the segment's JSON. One collector serves the whole process.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from typing import Any

from .log import InvocationLog

logger = logging.getLogger("appsync_local.invocations")
_MAX_DATAGRAM = 65_536


class XRayCollector:
    """UDP on 127.0.0.1 (a free port); every segment received goes to the registered invocation logs."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self._socket.getsockname()[1]}"
        self._logs: list[InvocationLog] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._receive, name="xray-collector", daemon=True).start()

    def register(self, log: InvocationLog) -> None:
        with self._lock:
            self._logs.append(log)

    def _receive(self) -> None:
        while True:
            data = self._socket.recv(_MAX_DATAGRAM)
            segment = _parse(data)
            if segment is None:
                continue
            with self._lock:
                logs = list(self._logs)
            for log in logs:
                log.add_segment(segment)


def _parse(data: bytes) -> dict[str, Any] | None:
    try:
        _, _, body = data.decode().partition("\n")
        segment = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return None
    return segment if isinstance(segment, dict) else None


_collector: XRayCollector | None = None
_collector_lock = threading.Lock()


def collector() -> XRayCollector:
    """The process's collector, started on first use."""
    global _collector
    with _collector_lock:
        if _collector is None:
            _collector = XRayCollector()
        return _collector
