"""What the media uploads function reads and decides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Outcome = Literal["READY", "FAILED", "IGNORED"]


@dataclass(frozen=True)
class StoredObject:
    """An uploaded object as S3 describes it: the Content-Type it was uploaded with, and its size."""

    content_type: str
    size: int


@dataclass(frozen=True)
class Poster:
    """A poster image, encoded (JPEG), and its size in pixels."""

    data: bytes
    width: int
    height: int


@dataclass(frozen=True)
class UploadResult:
    """What became of one upload: READY or FAILED on its item, or IGNORED (the item does not await it)."""

    outcome: Outcome
    reason: str | None = None
    poster_key: str | None = None
