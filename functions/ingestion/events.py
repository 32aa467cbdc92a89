"""One event as a device or site sends it, and the line the pipeline keeps of it.

Every record Firehose hands the transform becomes exactly one line of newline-delimited JSON in the raw bucket,
with its disposition in `status`: `accepted` (its eventId's first appearance), `duplicate` (seen before) or
`dropped` (malformed; `reason` says why). Keeping a line for each, rather than Firehose's `Dropped`, is what lets
the reports count duplicates and drops with SQL. The columns are the Glue table's (`[analytics.tables.events]`);
timestamps are UTC in Hive's format, which Athena's JSON SerDe and DuckDB both read as `timestamp`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

EVENT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
SOURCE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
MAX_TYPE_CHARS = 64
# Events stamped further ahead than this are refused (a device with a wrong clock).
MAX_CLOCK_SKEW = timedelta(hours=1)
# Epoch numbers above this are milliseconds, below it seconds (2001-09-09 in ms would be year 33658 in s).
EPOCH_MS_THRESHOLD = 10**11
UNKNOWN_SOURCE = "unknown"
STATUSES = ("accepted", "duplicate", "dropped")


class InvalidEvent(ValueError):
    """An event the pipeline cannot take; the message is the reason kept with it."""


@dataclass(frozen=True)
class Event:
    """A valid event, normalized."""

    event_id: str
    source: str
    type: str
    occurred_at: datetime
    payload: dict[str, Any] | None

    def line(self, received_at: datetime, status: str) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "source": self.source,
            "type": self.type,
            "occurred_at": hive_timestamp(self.occurred_at),
            "received_at": hive_timestamp(received_at),
            "status": status,
            "reason": None,
            "payload": json.dumps(self.payload, separators=(",", ":")) if self.payload is not None else None,
        }


def hive_timestamp(moment: datetime) -> str:
    """`2026-12-02 01:42:02.123`: UTC, milliseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def parse_time(value: Any) -> datetime:
    """An ISO-8601 time with a zone (`2026-12-02T01:42:02Z`, `...+01:00`) or epoch seconds/milliseconds."""
    if isinstance(value, bool):
        raise InvalidEvent("occurredAt must be an ISO-8601 time or epoch milliseconds")
    if isinstance(value, int | float):
        seconds = value / 1000 if abs(value) >= EPOCH_MS_THRESHOLD else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            raise InvalidEvent("occurredAt is out of range") from None
    if not isinstance(value, str):
        raise InvalidEvent("occurredAt must be an ISO-8601 time or epoch milliseconds")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        raise InvalidEvent(f"occurredAt is not an ISO-8601 time: {value[:40]!r}") from None
    if moment.tzinfo is None:
        raise InvalidEvent("occurredAt has no time zone (add Z or an offset)")
    return moment.astimezone(UTC)


def parse_event(data: bytes, now: datetime) -> Event:
    """The event `data` holds (JSON), or InvalidEvent with the reason."""
    try:
        raw = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidEvent("not JSON") from None
    if not isinstance(raw, dict):
        raise InvalidEvent("not a JSON object")
    event_id, source, kind = raw.get("eventId"), raw.get("source"), raw.get("type")
    if not isinstance(event_id, str) or not EVENT_ID.match(event_id):
        raise InvalidEvent("eventId must be 1-128 letters, digits, '.', '_', ':' or '-'")
    if not isinstance(source, str) or not SOURCE.match(source):
        raise InvalidEvent("source must be 1-64 letters, digits, '.', '_' or '-'")
    if not isinstance(kind, str) or not kind.strip() or len(kind) > MAX_TYPE_CHARS:
        raise InvalidEvent(f"type must be a non-empty string of at most {MAX_TYPE_CHARS} characters")
    occurred_at = parse_time(raw.get("occurredAt"))
    if occurred_at > now + MAX_CLOCK_SKEW:
        raise InvalidEvent("occurredAt is more than an hour in the future")
    payload = raw.get("payload")
    if payload is not None and not isinstance(payload, dict):
        raise InvalidEvent("payload must be a JSON object")
    return Event(event_id, source, kind.strip(), occurred_at, payload)


def dropped_line(data: bytes, received_at: datetime, reason: str) -> dict[str, Any]:
    """The line kept for a malformed record: what can be told of it, and why it was left out."""
    event_id, source = identify(data)
    return {
        "event_id": event_id,
        "source": source,
        "type": None,
        "occurred_at": None,
        "received_at": hive_timestamp(received_at),
        "status": "dropped",
        "reason": reason,
        "payload": None,
    }


def identify(data: bytes) -> tuple[str | None, str]:
    """(eventId, source) of a record as far as they can be told; `unknown` for a source that cannot."""
    try:
        raw = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None, UNKNOWN_SOURCE
    if not isinstance(raw, dict):
        return None, UNKNOWN_SOURCE
    event_id = raw.get("eventId") if isinstance(raw.get("eventId"), str) else None
    source = raw.get("source")
    return (
        event_id[:128] if event_id and EVENT_ID.match(event_id) else None,
        source if isinstance(source, str) and SOURCE.match(source) else UNKNOWN_SOURCE,
    )
