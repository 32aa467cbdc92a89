"""Output written during an invocation goes to its record; everything else to the real stream.

`sys.stdout` and `sys.stderr` are replaced, once, by streams that look at the invocation running in the
current context. Powertools' Logger and Metrics print to stdout as on Lambda (where CloudWatch collects
it); locally that output is kept per invocation and summed up readably instead of printed raw.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from .log import current_record


class InvocationStream:
    """A text stream that writes to the current invocation's record, or to `original` outside one."""

    def __init__(self, original: TextIO) -> None:
        self.original = original

    def write(self, text: str) -> int:
        record = current_record()
        if record is None:
            return self.original.write(text)
        record.write(text)
        return len(text)

    def flush(self) -> None:
        if current_record() is None:
            self.original.flush()

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding… of the real stream
        return getattr(self.original, name)


def install() -> None:
    """Route stdout and stderr through invocation streams (once)."""
    if not isinstance(sys.stdout, InvocationStream):
        sys.stdout = InvocationStream(sys.stdout)
    if not isinstance(sys.stderr, InvocationStream):
        sys.stderr = InvocationStream(sys.stderr)
