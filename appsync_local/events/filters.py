"""Lambda's event filtering (evfilter): a record is delivered when any pattern matches it.

Patterns are EventBridge patterns matched by moto's `EventPattern` (prefix, suffix, numeric, anything-but,
exists, equals-ignore-case, wildcard, `$or`). What a pattern sees follows Lambda's rules: an SQS record's
`body` and a Kinesis record's `data` are matched as JSON objects when they parse as JSON; a pattern on their
fields drops a record whose body or data is not a JSON object (even `{"exists": false}`), as a plain-string
pattern drops one that is. DynamoDB records are matched as Lambda delivers them. Values are equal only when
they are written alike (Lambda compares numbers by their text: 300 is not 300.0, and true is not 1), and
`numeric` takes numbers, not booleans.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any

from moto.events.models import UNDEFINED, EventPattern

# The record fields Lambda parses as JSON before matching: an SQS message's body, a Kinesis record's data.
_PARSED = ("body", "data")


class _LambdaPattern(EventPattern):
    """moto's EventPattern, with Lambda's equality: a value matches one of the same JSON type only."""

    def _does_item_match_filters(self, item: Any, filters: list[Any]) -> bool:
        for f in filters:
            if isinstance(f, str | bool | int | float) or f is None:
                if item is UNDEFINED:
                    continue
                if any(_same(value, f) for value in (item if isinstance(item, list) else [item])):
                    return True
            elif isinstance(f, dict):
                if "numeric" in f and isinstance(item, bool):
                    continue
                if self._does_item_match_named_filter(item, f):
                    return True
        return False


def _same(value: Any, expected: Any) -> bool:
    return type(value) is type(expected) and value == expected


class RecordFilter:
    """The patterns of one mapping; no patterns deliver everything."""

    def __init__(self, patterns: Sequence[Mapping[str, Any]]) -> None:
        self._patterns = [
            (_object_fields(pattern), _LambdaPattern.load(json.dumps(pattern))) for pattern in patterns
        ]

    def __bool__(self) -> bool:
        return bool(self._patterns)

    def matches(self, record: Mapping[str, Any]) -> bool:
        if not self._patterns:
            return True
        view = _filter_view(record)
        event: Any = view
        return any(
            all(isinstance(view.get(name), dict) for name in object_fields) and pattern.matches_event(event)
            for object_fields, pattern in self._patterns
        )


def _object_fields(pattern: Mapping[str, Any]) -> tuple[str, ...]:
    """The parsed fields (`body`, `data`) whose own fields `pattern` names: a record matches it only if they
    parsed as JSON objects."""
    return tuple(name for name in _PARSED if isinstance(pattern.get(name), dict))


def _filter_view(record: Mapping[str, Any]) -> dict[str, Any]:
    source = record.get("eventSource")
    view = dict(record)
    if source == "aws:sqs":
        view["body"] = _json_or_text(record.get("body", ""))
    elif source == "aws:kinesis":
        data = record["kinesis"].get("data", "")
        try:
            decoded = base64.b64decode(data).decode()
        except (ValueError, UnicodeDecodeError):
            decoded = data
        view = {"data": _json_or_text(decoded), "partitionKey": record["kinesis"].get("partitionKey")}
    return view


def _json_or_text(text: str) -> Any:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return text
    return value if isinstance(value, dict) else text
