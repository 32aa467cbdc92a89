"""One size of a photo, as the renderer makes it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rendition:
    """A resized copy: the width it was asked for (its key's name), its real size and its encoded bytes."""

    target_width: int
    width: int
    height: int
    data: bytes
    content_type: str
    extension: str
