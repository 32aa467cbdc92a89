"""One server per data folder: an OS lock on `<data>/server.lock`, naming the server that holds it.

Two servers on one folder would run two DynamoDB Locals on the same database files and two S3 mirrors on the
same objects, each overwriting what the other acknowledged. The lock is `flock`'s, so the OS releases it
when the process ends, however it ends (even SIGKILL): a stale file never blocks the next start.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path

LOCK_FILE_NAME = "server.lock"


class DataFolderInUse(RuntimeError):
    """Another server runs on the data folder; the message names its URL and PID."""


class DataFolderLock:
    """The lock a running server holds on its data folder; `publish` records the URL it serves.

    Parameters
    ----------
    fd
        The open lock file, locked (exclusively) by this process.
    path
        The lock file.
    """

    def __init__(self, fd: int, path: Path) -> None:
        self._fd = fd
        self.path = path

    def publish(self, url: str) -> None:
        """Write this server's URL and PID into the lock file, for a second server's refusal to name."""
        content = json.dumps({"pid": os.getpid(), "url": url}).encode()
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, content, 0)

    def release(self) -> None:
        """Give up the lock (the file stays; its content no longer matters once unlocked)."""
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing the only descriptor releases the flock
            self._fd = -1


def _holder(fd: int) -> str:
    """Who holds the lock, as the holder wrote it: "PID 123, http://…" (or what is known of it)."""
    try:
        raw = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except (OSError, ValueError):
        raw = {}
    pid = raw.get("pid") if isinstance(raw, dict) else None
    url = raw.get("url") if isinstance(raw, dict) else None
    who = f"PID {pid}" if pid else "a process"
    return f"{who}, serving {url}" if url else f"{who}, still starting"


@contextlib.contextmanager
def locked_data_folder(data_dir: Path) -> Iterator[DataFolderLock]:
    """Hold the data folder's lock while the block runs; `DataFolderInUse` when another server holds it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LOCK_FILE_NAME
    # Not inherited by children (PEP 446), so only this process holds the lock: it ends when this process does.
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _holder(fd)
        os.close(fd)
        raise DataFolderInUse(
            f"another server ({holder}) uses the data folder {data_dir}; stop it first, "
            "or give this one its own folder with --data-dir"
        ) from None
    lock = DataFolderLock(fd, path)
    lock.publish("")
    try:
        yield lock
    finally:
        lock.release()
