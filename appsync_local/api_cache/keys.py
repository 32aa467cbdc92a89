"""Caching keys: what an entry of a resolver is keyed on, and how an eviction names the same entry."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

# The maps a caching key reads, as `$context.<map>` names them.
MAPS = ("arguments", "source", "identity")
# How resolver code may spell them in an eviction's key names (`ctx.args.id` is in AppSync's own example).
_ALIASES = {"ctx": "context", "args": "arguments"}


def _plain(value: Any) -> Any:
    """JSON numbers as JS sends them: 20.0 and 20 are the same key value."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def key_value(value: Any) -> str:
    """One part of an entry's key: the value as canonical JSON (maps compare whatever their order)."""
    return json.dumps(_plain(value), sort_keys=True, separators=(",", ":"), default=str)


def parse(caching_key: str) -> tuple[str, tuple[str, ...]]:
    """`$context.arguments.input.id` -> ("arguments", ("input", "id"))."""
    parts = caching_key.lstrip("$").split(".")
    parts = [_ALIASES.get(part, part) for part in parts[:2]] + parts[2:]
    if len(parts) < 2 or parts[0] != "context" or parts[1] not in MAPS:
        raise ValueError(f"{caching_key!r} is not a caching key ($context.arguments|source|identity...)")
    return parts[1], tuple(parts[2:])


def normalized(name: str) -> str:
    """An eviction's key name in the form caching keys are declared: `ctx.args.id` -> `context.arguments.id`."""
    try:
        map_name, path = parse(name)
    except ValueError:
        return name
    return ".".join(("context", map_name, *path))


def read(maps: Mapping[str, Any], path: tuple[str, tuple[str, ...]]) -> Any:
    """The value a caching key names (None where the map or a field on the way is missing)."""
    map_name, fields = path
    value = maps.get(map_name)
    for name in fields:
        if not isinstance(value, Mapping):
            return None
        value = value.get(name)
    return value


def entry_key(type_name: str, field_name: str, values: Sequence[Any]) -> tuple[str, ...]:
    return (type_name, field_name, *(key_value(v) for v in values))
