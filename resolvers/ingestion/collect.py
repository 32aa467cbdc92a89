"""`ingestEvents`: each event checked, then all the good ones sent with one Kinesis PutRecords.

A Lambda resolver rather than an APPSYNC_JS HTTP data source signed for Kinesis: each event gets its own
answer (a sequence number, `InvalidEvent` with the reason, or Kinesis's code for a record it refused), which a
JS resolver could give only by re-implementing the checks in a second language; and the checks are the
pipeline's own (`functions/ingestion/events.py`), so an event the API accepts is one the transform accepts.
The partition key is the event's source, so one source's events keep their order in one shard.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from functions.ingestion.events import InvalidEvent, parse_event

MAX_EVENTS = 500  # PutRecords' limit per call
MAX_EVENT_BYTES = 1024 * 1024  # a Kinesis record's limit


class ValidationError(Exception):
    """The call as a whole is refused (too many events); the message says why."""


def _record(event: dict[str, Any]) -> bytes:
    body = {
        "eventId": event.get("eventId"),
        "source": event.get("source"),
        "type": event.get("type"),
        "occurredAt": event.get("occurredAt"),
    }
    payload = event.get("payload")
    if payload is not None:
        try:
            body["payload"] = json.loads(payload) if isinstance(payload, str) else payload
        except json.JSONDecodeError:
            raise InvalidEvent("payload is not JSON") from None
    data = json.dumps(body, separators=(",", ":")).encode()
    if len(data) > MAX_EVENT_BYTES:
        raise InvalidEvent(f"the event is {len(data)} bytes as JSON; at most {MAX_EVENT_BYTES}")
    return data


def ingest(
    events: list[dict[str, Any]], stream: str, kinesis: Any, sources: frozenset[str] | None = None
) -> dict[str, Any]:
    """Send `events` to `stream`; the result lists each event's fate in order.

    `sources`, when given (a partner's), are the only sources the caller may send as; others are InvalidEvent.
    """
    if len(events) > MAX_EVENTS:
        raise ValidationError(f"at most {MAX_EVENTS} events per call; this one has {len(events)}")
    now = datetime.now(UTC)
    answers: list[dict[str, Any]] = []
    records: list[tuple[int, dict[str, Any]]] = []
    for index, event in enumerate(events):
        answer = {
            "eventId": str(event.get("eventId", "")),
            "sequenceNumber": None,
            "errorCode": None,
            "errorMessage": None,
        }
        answers.append(answer)
        try:
            if sources is not None and str(event.get("source")) not in sources:
                raise InvalidEvent(f"source {event.get('source')!r} is not one of this partner's sources")
            data = _record(event)
            parse_event(data, now)
        except InvalidEvent as exc:
            answer.update(errorCode="InvalidEvent", errorMessage=str(exc))
            continue
        records.append((index, {"Data": data, "PartitionKey": str(event["source"])}))
    if records:
        response = kinesis.put_records(StreamName=stream, Records=[record for _, record in records])
        for (index, _), written in zip(records, response["Records"], strict=True):
            if "ErrorCode" in written:
                answers[index].update(
                    errorCode=written["ErrorCode"], errorMessage=written.get("ErrorMessage")
                )
            else:
                answers[index]["sequenceNumber"] = written["SequenceNumber"]
    failed = sum(1 for answer in answers if answer["errorCode"])
    return {"acceptedCount": len(answers) - failed, "failedCount": failed, "events": answers}
