"""Source maps (version 3): decode a bundle's `mappings` and find where a bundled position came from.

Only what the runtime needs: decoding Base64 VLQ segments into per-line lookups, and writing the map back as
the inline `//# sourceMappingURL=data:…` comment AppSync accepts (no `sourcesContent`).
"""

from __future__ import annotations

import base64
import bisect
import json
from dataclasses import dataclass
from typing import Any

_BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_DIGIT = {char: index for index, char in enumerate(_BASE64)}
_CONTINUATION = 32
_MASK = 31
INLINE_PREFIX = "//# sourceMappingURL=data:application/json;base64,"


class SourceMapError(ValueError):
    """A source map that cannot be decoded."""


def decode_vlq(segment: str) -> list[int]:
    """The signed integers of one Base64 VLQ segment (e.g. "AAgBC" -> [0, 0, 16, 1])."""
    values: list[int] = []
    value = shift = 0
    for char in segment:
        digit = _DIGIT.get(char)
        if digit is None:
            raise SourceMapError(f"{char!r} is not a Base64 VLQ digit (in segment {segment!r})")
        value += (digit & _MASK) << shift
        if digit & _CONTINUATION:
            shift += 5
            continue
        values.append(-(value >> 1) if value & 1 else value >> 1)
        value = shift = 0
    if shift:
        raise SourceMapError(f"segment {segment!r} ends inside a number")
    return values


@dataclass(frozen=True)
class OriginalPosition:
    """Where a generated position came from: `sources[source]`, 1-based line, 0-based column."""

    source: str
    line: int
    column: int


class SourceMap:
    """A decoded version 3 source map (no index maps, which esbuild does not write)."""

    def __init__(self, raw: dict[str, Any]) -> None:
        if raw.get("version") != 3 or not isinstance(raw.get("mappings"), str):
            raise SourceMapError("not a version 3 source map")
        self.raw = raw
        self.sources: tuple[str, ...] = tuple(raw.get("sources") or ())
        # Per generated line: generated columns (sorted) and, for each, (source index, line, column) or None.
        # Decoded on the first lookup: a bundle's map is only read when its code fails (some 30 maps at start-up,
        # each decoded twice, took 50-70 ms); `_decode` raises SourceMapError then for a malformed one.
        self._columns: list[list[int]] = []
        self._targets: list[list[tuple[int, int, int] | None]] = []
        self._decoded = False

    @classmethod
    def from_json(cls, text: str) -> SourceMap:
        return cls(json.loads(text))

    def _decode(self) -> None:
        """Decode `mappings` once; two threads racing here each build the same lists, and either may win."""
        if self._decoded:
            return
        all_columns: list[list[int]] = []
        all_targets: list[list[tuple[int, int, int] | None]] = []
        source = line = column = 0
        mappings: str = self.raw["mappings"]
        for text in mappings.split(";"):
            columns: list[int] = []
            targets: list[tuple[int, int, int] | None] = []
            generated = 0
            for segment in filter(None, text.split(",")):
                fields = decode_vlq(segment)
                generated += fields[0]
                if len(fields) >= 4:
                    source, line, column = source + fields[1], line + fields[2], column + fields[3]
                    targets.append((source, line, column))
                else:
                    targets.append(None)
                columns.append(generated)
            all_columns.append(columns)
            all_targets.append(targets)
        self._columns, self._targets = all_columns, all_targets
        self._decoded = True

    def original(self, line: int, column: int) -> OriginalPosition | None:
        """Where generated `line` (1-based), `column` (0-based) came from; None for generated-only code.

        The segment that covers a position is the last one starting at or before it; a position before a
        line's first segment takes that first segment (a runtime may point at the start of an expression).
        """
        self._decode()
        if line < 1 or line > len(self._columns) or not self._columns[line - 1]:
            return None
        columns = self._columns[line - 1]
        index = max(bisect.bisect_right(columns, column) - 1, 0)
        target = self._targets[line - 1][index]
        if target is None or not 0 <= target[0] < len(self.sources):
            return None
        return OriginalPosition(self.sources[target[0]], target[1] + 1, target[2])

    def with_sources(self, sources: list[str]) -> SourceMap:
        """The same mappings naming `sources` (one per source, in order) instead."""
        if len(sources) != len(self.sources):
            raise SourceMapError(f"expected {len(self.sources)} sources, got {len(sources)}")
        return SourceMap({**self.raw, "sources": list(sources)})

    def inline_comment(self) -> str:
        """This map as the inline `//# sourceMappingURL=data:application/json;base64,…` comment."""
        raw = {key: value for key, value in self.raw.items() if key != "sourcesContent"}
        payload = json.dumps(raw, separators=(",", ":"), ensure_ascii=True).encode("ascii")
        return INLINE_PREFIX + base64.b64encode(payload).decode("ascii")
