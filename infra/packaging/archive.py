"""Deterministic zip files: the same inputs always give the same bytes (so the same asset hash, no redeploy)."""

from __future__ import annotations

import os
import shutil
import zipfile
from collections.abc import Iterable
from pathlib import Path

# Zip's earliest date; every entry gets it, so a rebuild of unchanged code is byte-identical.
FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def write_zip(target: Path, entries: Iterable[tuple[str, Path]], *, base: Path | None = None) -> Path:
    """Write `(name in the zip, file)` pairs, sorted by name, with fixed dates and Lambda-friendly modes.

    `base`, a zip this function wrote, comes first as it is, and the entries after its own: what several
    packages share (their installed requirements) is compressed once, not once per package.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")  # two builds at once never share one
    if base is None:
        archive = zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
    else:
        shutil.copyfile(base, partial)
        archive = zipfile.ZipFile(partial, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
    with archive:
        for name, path in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            file_mode = 0o755 if os.access(path, os.X_OK) else 0o644
            info.external_attr = (0o100000 | file_mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    partial.replace(target)
    return target


def folder_zip(folder: Path, *, skip: tuple[str, ...] = ()) -> Path:
    """`folder`'s files as one zip, kept in the folder (`.zip`) and written once: the folder must not change
    after (installed requirements are kept by what they contain, and rebuilt from an empty folder). Files whose
    first path part is in `skip` are left out."""
    target = folder / ".zip"
    if not target.is_file():
        relative = [(path, path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()]
        entries = [
            (name.as_posix(), path)
            for path, name in relative
            # neither skipped nor this zip (or its partial file)
            if name.parts[0] not in skip and not name.parts[0].startswith(".zip")
        ]
        write_zip(target, entries)
    return target
