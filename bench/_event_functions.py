"""Functions the event benchmark delivers to: a no-op that only counts the records it was given."""

from __future__ import annotations

import threading
from typing import Any

received = 0
_lock = threading.Lock()


def noop(event: dict[str, Any], context: Any) -> None:
    global received
    with _lock:
        received += len(event.get("Records", []))
