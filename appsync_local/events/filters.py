"""Lambda's event filtering (evfilter): a record is delivered when any pattern matches it.

Patterns are EventBridge patterns matched by moto's `EventPattern` (prefix, suffix, numeric, anything-but,
exists, equals-ignore-case, wildcard, `$or`). What a pattern sees follows Lambda's rules: an SQS record's
`body` and a Kinesis record's `data` are matched as JSON objects when they parse as JSON (and a pattern on
their fields never matches otherwise); DynamoDB records are matched as Lambda delivers them.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any

from moto.events.models import EventPattern


class RecordFilter:
    """The patterns of one mapping; no patterns deliver everything."""

    def __init__(self, patterns: Sequence[Mapping[str, Any]]) -> None:
        self._patterns = [EventPattern.load(json.dumps(pattern)) for pattern in patterns]

    def __bool__(self) -> bool:
        return bool(self._patterns)

    def matches(self, record: Mapping[str, Any]) -> bool:
        if not self._patterns:
            return True
        view = _filter_view(record)
        event: Any = view
        return any(pattern.matches_event(event) for pattern in self._patterns)


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
