"""Strings at the edge: refuse text that is not valid Unicode, and write any value as valid UTF-8 JSON.

JSON's `\\uD800` escapes can smuggle a lone UTF-16 surrogate into a Python `str` (RFC 8259 §8.2 leaves such
strings' meaning undefined); UTF-8 cannot encode it, so stored once it would break every later read. Requests
are checked with `invalid_unicode_at`, and `encode_json` never fails on a value read back from storage.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogate(text: str) -> bool:
    return not text.isascii() and _SURROGATE.search(text) is not None


def invalid_unicode_at(value: Any, where: str = "") -> str | None:
    """The path (`variables.input.title`) of the first string in `value` holding a lone surrogate, or None."""
    stack: list[tuple[str, Any]] = [(where, value)]
    while stack:  # iterative: a deeply nested body must not overflow the stack here
        path, item = stack.pop()
        if isinstance(item, str):
            if _has_surrogate(item):
                return path or "the value"
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str) and _has_surrogate(key):
                    return f"{path}.<key>" if path else "<key>"
                stack.append((f"{path}.{key}" if path else str(key), child))
        elif isinstance(item, list):
            stack.extend((f"{path}[{index}]", child) for index, child in enumerate(item))
    return None


def invalid_unicode_message(path: str) -> str:
    """The error text for a request holding a lone surrogate at `path`."""
    return (
        f"Invalid Unicode in {path}: a lone UTF-16 surrogate (an unpaired \\ud800-\\udfff escape). "
        "Strings must be valid Unicode text."
    )


def encode_json(value: Any) -> bytes:
    """`value` as compact UTF-8 JSON; a lone surrogate (only in data stored before the edge checked) becomes
    U+FFFD, as WHATWG's USVString conversion and JavaScript's `toWellFormed()` do, so a read never fails.

    orjson writes it (the standard encoder cost a twentieth of a cached read's CPU); what orjson refuses (a lone
    surrogate, an integer past 64 bits, a key that is not a string) takes the standard encoder as before."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        pass
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text).encode("utf-8")
