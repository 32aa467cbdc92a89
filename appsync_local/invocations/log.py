"""The invocation log: one record per local Lambda invocation, the newest kept in memory."""

from __future__ import annotations

import collections
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

_CURRENT: ContextVar[InvocationRecord | None] = ContextVar("invocation", default=None)
KEPT = 200


def current_record() -> InvocationRecord | None:
    """The invocation running in this context (its output goes to it)."""
    return _CURRENT.get()


def new_trace_id() -> str:
    """An X-Ray trace id: `1-<epoch hex>-<24 hex>`."""
    return f"1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}"


@dataclass
class InvocationRecord:
    """One invocation: who, what for, how long, how it ended, and what it printed and traced."""

    function: str
    source: str
    request_id: str
    trace_id: str
    started: float = field(default_factory=time.time)
    duration_ms: float = 0.0
    error: str | None = None
    output: list[str] = field(default_factory=list)
    segments: list[dict[str, Any]] = field(default_factory=list)
    _partial: str = ""

    def write(self, text: str) -> None:
        text = self._partial + text
        *lines, self._partial = text.split("\n")
        self.output.extend(line for line in lines if line.strip())

    def flush(self) -> None:
        if self._partial.strip():
            self.output.append(self._partial)
        self._partial = ""


class InvocationLog:
    """The newest invocations (at most `kept`), by request id, and the way to record one."""

    def __init__(self, kept: int = KEPT) -> None:
        self._records: collections.OrderedDict[str, InvocationRecord] = collections.OrderedDict()
        self._kept = kept
        self._lock = threading.Lock()

    @contextmanager
    def recording(
        self, function: str, source: str, request_id: str, trace_id: str
    ) -> Iterator[InvocationRecord]:
        record = InvocationRecord(function, source, request_id, trace_id)
        with self._lock:
            self._records[request_id] = record
            while len(self._records) > self._kept:
                self._records.popitem(last=False)
        token = _CURRENT.set(record)
        started = time.perf_counter()
        try:
            yield record
        finally:
            record.duration_ms = (time.perf_counter() - started) * 1000
            record.flush()
            _CURRENT.reset(token)

    def add_segment(self, segment: dict[str, Any]) -> None:
        """An X-Ray (sub)segment the collector received; it joins the invocation with its trace id."""
        with self._lock:
            for record in reversed(self._records.values()):
                if record.trace_id == segment.get("trace_id"):
                    record.segments.append(segment)
                    return

    def newest(self) -> list[InvocationRecord]:
        with self._lock:
            return list(reversed(self._records.values()))

    def get(self, request_id: str) -> InvocationRecord | None:
        with self._lock:
            return self._records.get(request_id)
