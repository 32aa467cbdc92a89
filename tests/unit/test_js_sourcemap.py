"""Source maps: Base64 VLQ decoding, and the bundle-to-source lookups that errors are reported through."""

from __future__ import annotations

import base64
import json

import pytest

from jsbundles.sourcemap import INLINE_PREFIX, OriginalPosition, SourceMap, SourceMapError, decode_vlq


@pytest.mark.parametrize(
    ("segment", "values"),
    [
        ("A", [0]),
        ("C", [1]),
        ("D", [-1]),
        ("gB", [16]),
        ("2H", [123]),
        ("3H", [-123]),
        ("AAAA", [0, 0, 0, 0]),
        ("SAAS,", None),  # not one segment: the comma is not a digit
        ("AACA", [0, 0, 1, 0]),
        ("kBAAkB", [18, 0, 0, 18]),
    ],
)
def test_vlq_segments_decode_to_signed_integers(segment: str, values: list[int] | None) -> None:
    if values is None:
        with pytest.raises(SourceMapError):
            decode_vlq(segment)
    else:
        assert decode_vlq(segment) == values


def test_a_segment_cut_inside_a_number_is_refused() -> None:
    with pytest.raises(SourceMapError, match="ends inside a number"):
        decode_vlq("g")


def _map(mappings: str, sources: tuple[str, ...] = ("a.js", "b.js")) -> SourceMap:
    return SourceMap({"version": 3, "sources": list(sources), "mappings": mappings, "names": []})


def test_positions_map_to_the_segment_that_covers_them() -> None:
    # GIVEN line 2 with segments at columns 0 and 4 (a.js 1:0 and 1:4) and line 3 at column 2 (b.js 2:4):
    # source, original line and column are relative to the previous segment, across lines
    source_map = _map(";AAAA,IAAI;ECCA")

    # WHEN / THEN a position maps to the last segment starting at or before it
    start, before_second, second = (
        source_map.original(2, 0),
        source_map.original(2, 3),
        source_map.original(2, 9),
    )
    assert start == before_second == OriginalPosition("a.js", 1, 0)
    assert second == OriginalPosition("a.js", 1, 4)
    third = source_map.original(3, 7)
    assert third == OriginalPosition("b.js", 2, 4)
    # AND a position before a line's first segment takes that segment
    assert source_map.original(3, 0) == third


def test_lines_and_segments_without_a_source_map_to_nothing() -> None:
    # GIVEN line 1 empty, line 2 one mapped segment then (column 10) a generated-only one
    source_map = _map(";AAAA,U")

    # WHEN / THEN
    assert source_map.original(1, 0) is None
    assert source_map.original(2, 12) is None
    assert source_map.original(2, 1) is not None
    assert source_map.original(9, 0) is None


def test_the_inline_comment_carries_the_map_without_sources_content() -> None:
    # GIVEN a map with sources content, renamed sources
    raw = {"version": 3, "sources": ["/x/a.js"], "sourcesContent": ["code"], "mappings": "AAAA", "names": []}
    renamed = SourceMap(raw).with_sources(["a.js"])

    # WHEN it is written inline
    comment = renamed.inline_comment()

    # THEN it is the data URL AppSync reads, with the new sources and no sources content
    assert comment.startswith(INLINE_PREFIX)
    decoded = json.loads(base64.b64decode(comment.removeprefix(INLINE_PREFIX)))
    assert decoded == {"version": 3, "sources": ["a.js"], "mappings": "AAAA", "names": []}


def test_a_map_that_is_not_version_3_is_refused() -> None:
    with pytest.raises(SourceMapError):
        SourceMap({"version": 2, "mappings": ""})


def test_a_malformed_mapping_is_refused_when_first_looked_up() -> None:
    source_map = _map("AAAA;g")  # decoded on first use: a bundle's map is read only when its code fails
    with pytest.raises(SourceMapError, match="ends inside a number"):
        source_map.original(1, 0)
