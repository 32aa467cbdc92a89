"""Deterministic zip files: the same inputs always give the same bytes (so the same asset hash, no redeploy)."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable
from pathlib import Path

# Zip's earliest date; every entry gets it, so a rebuild of unchanged code is byte-identical.
FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def write_zip(target: Path, entries: Iterable[tuple[str, Path]]) -> Path:
    """Write `(name in the zip, file)` pairs, sorted by name, with fixed dates and Lambda-friendly modes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, path in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            mode = 0o755 if os.access(path, os.X_OK) else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    partial.replace(target)
    return target
