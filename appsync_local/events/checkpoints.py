"""Where each stream mapping has read to, kept on disk so a restart resumes after the last processed record."""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any


class CheckpointStore:
    """A JSON file of `{mapping id: {...}}`, written atomically on every change.

    Parameters
    ----------
    path
        The file (created with its folder when missing); None keeps checkpoints in memory only.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._data: dict[str, dict[str, Any]] = {}
        if path is not None and path.is_file():
            self._data = json.loads(path.read_text() or "{}")

    def get(self, mapping: str) -> dict[str, Any]:
        with self._lock:
            return dict(self._data.get(mapping, {}))

    def update(self, mapping: str, **values: Any) -> None:
        with self._lock:
            self._data.setdefault(mapping, {}).update(values)
            self._write()

    def _write(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".checkpoints-")
        with os.fdopen(handle, "w") as out:
            json.dump(self._data, out, indent=1, sort_keys=True)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path)
