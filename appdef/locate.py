"""Where a key path is written in a TOML file: the line of its `[table]` header or its `key = value`."""

from __future__ import annotations

import re

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def split_key(text: str) -> tuple[str, ...] | None:
    """`a."b.c".d` -> ("a", "b.c", "d"); None when `text` is not a TOML key."""
    parts: list[str] = []
    rest = text.strip()
    while rest:
        if rest[0] in "\"'":
            end = rest.find(rest[0], 1)
            if end < 0:
                return None
            parts.append(rest[1:end])
            rest = rest[end + 1 :].lstrip()
        else:
            match = _BARE.match(rest)
            if match is None:
                return None
            parts.append(match.group())
            rest = rest[match.end() :].lstrip()
        if rest.startswith("."):
            rest = rest[1:].lstrip()
        elif rest:
            return None
    return tuple(parts) or None


def _key_of_line(line: str) -> tuple[str, ...] | None:
    """The dotted key a `key = value` line assigns (quotes respected), or None."""
    quote = ""
    for i, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "=":
            return split_key(line[:i])
    return None


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Every table header and key of `text`, with the (1-based) line that first writes it."""
    found: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            inner = line.strip("[").split("]", 1)[0]
            key = split_key(inner)
            if key is not None:
                table = key
                found.setdefault(table, number)
            continue
        key = _key_of_line(line)
        if key is not None:
            found.setdefault(table + key, number)
    return found


def line_of(text: str, path: tuple[str | int, ...]) -> int | None:
    """The line that writes `path`, or the closest enclosing key or table that is written; None if none is."""
    lines = key_lines(text)
    keys = tuple(str(part) for part in path if not isinstance(part, int))
    for end in range(len(keys), 0, -1):
        if keys[:end] in lines:
            return lines[keys[:end]]
    return None
