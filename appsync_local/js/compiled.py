"""APPSYNC_JS bundles as the engine compiled them (checked against AppSync's rules, then rewritten), kept by
content so that no bundle is compiled twice: not by each thread's engine, nor at each start of `make run`.

Compiling is a pure function of the bundle's text and the engine's library (acorn, the rule checks, the
rewrite): the key is the SHA-256 of both, so an edited file, an edited `lib/` file it imports or a changed
library each make a new key, and a stale entry is never read. The loads of a start took 150-291 ms compiling,
8-26 ms reading (`bench/startup_steps.py`; bench/README.md, Start-up, sixth round).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from pathlib import Path

MAX_FILES = 2000  # entries kept in the folder; the least recently written go first
SUFFIX = ".json"


class CompiledBundles:
    """The compiler's answers (its JSON, errors included) by key, in memory and, when `folder` is given, on disk.

    Thread-safe; two processes sharing the folder write whole files by rename, so neither reads half of one.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self._answers: dict[str, str] = {}
        self._lock = threading.Lock()
        self._pruned = False

    @staticmethod
    def key(library_digest: str, bundle_digest: str) -> str:
        return hashlib.sha256(f"{library_digest}\0{bundle_digest}".encode()).hexdigest()

    def get(self, key: str) -> str | None:
        with self._lock:
            answer = self._answers.get(key)
        if answer is not None or self.folder is None:
            return answer
        try:
            answer = (self.folder / f"{key}{SUFFIX}").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        with self._lock:
            self._answers[key] = answer
        return answer

    def put(self, key: str, answer: str) -> None:
        with self._lock:
            self._answers[key] = answer
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = self.folder / f".{key}.{os.getpid()}.{threading.get_ident()}.tmp"
            temporary.write_text(answer, encoding="utf-8")
            os.replace(temporary, self.folder / f"{key}{SUFFIX}")
        except OSError:  # a read-only or full disk: compiled again next time, nothing worse
            return
        self._prune_once()

    def _prune_once(self) -> None:
        """Keep the folder to `MAX_FILES` entries (every edit of a file adds one), once per process."""
        if self._pruned or self.folder is None:
            return
        self._pruned = True
        with contextlib.suppress(OSError):
            entries = [entry for entry in os.scandir(self.folder) if entry.name.endswith(SUFFIX)]
            if len(entries) <= MAX_FILES:
                return
            entries.sort(key=lambda entry: entry.stat().st_mtime_ns)
            for entry in entries[: len(entries) - MAX_FILES]:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
