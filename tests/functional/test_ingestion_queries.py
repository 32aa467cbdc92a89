"""The ingestion reports' SQL files (Athena's dialect), each run through the local Athena's translation and DuckDB
over sample raw objects as the transform writes them, with the results the reports rely on."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from appsync_local.athena import QueryFailed
from functions.ingestion.athena import literal
from functions.ingestion.events import dropped_line, hive_timestamp, parse_event
from functions.ingestion.queries import QUERIES
from tests.fixtures.athena import run_query_file

HOUR = "2026/12/02/01"
BATCH = "0f8e2c4a-1b2c-4d5e-8f90-a1b2c3d4e5f6"
OTHER = "11111111-2222-4333-8444-555555555555"
NOW = datetime(2026, 12, 2, 3, 0)  # partition projection's NOW (naive UTC)


def raw_key(hour: str, batch: str) -> str:
    return f"s3://ingest-raw/events/{hour}/ingest-1-{hour.replace('/', '-')}-00-05-{batch}"


def line(
    event_id: str, source: str, kind: str, status: str, *, value: float | None = None, delay_s: int = 2
) -> dict[str, Any]:
    occurred = datetime(2026, 12, 2, 1, 10, tzinfo=UTC)
    payload = {"value": value} if value is not None else {"note": "no value"}
    data = json.dumps(
        {
            "eventId": event_id,
            "source": source,
            "type": kind,
            "occurredAt": occurred.isoformat(),
            "payload": payload,
        }
    )
    return parse_event(data.encode(), occurred).line(occurred + timedelta(seconds=delay_s), status)


def sample_objects() -> dict[str, list[dict[str, Any]]]:
    received = datetime(2026, 12, 2, 1, 10, 5, tzinfo=UTC)
    batch = [
        line("e1", "sensors", "reading", "accepted", value=20.0),
        line("e2", "sensors", "reading", "accepted", value=22.5, delay_s=4),
        line("e1", "sensors", "reading", "duplicate", value=20.0),
        line("e3", "sensors", "alert", "accepted"),
        line("o1", "orders", "placed", "accepted", value=9.99),
        dropped_line(
            b'{"eventId":"x","source":"orders","occurredAt":"soon"}',
            received,
            "occurredAt is not an ISO-8601 time",
        ),
    ]
    other = [
        line("e4", "sensors", "reading", "accepted", value=18.0, delay_s=6),
        line("o1", "orders", "placed", "duplicate"),
    ]
    later = [line("e9", "sensors", "reading", "accepted", value=99.0)]
    return {raw_key(HOUR, BATCH): batch, raw_key(HOUR, OTHER): other, raw_key("2026/12/02/02", OTHER): later}


def test_every_query_file_is_tested_here() -> None:
    assert {path.stem for path in QUERIES.glob("*.sql")} == {"batch_summary", "hourly_rollup"}


def test_the_batch_summary_counts_one_objects_events_by_source_and_type() -> None:
    result = run_query_file(
        QUERIES / "batch_summary.sql",
        [literal(HOUR), literal(raw_key(HOUR, BATCH))],
        sample_objects(),
        now=NOW,
    )
    assert result.records() == [
        {
            "source": "orders",
            "type": "",
            "accepted": "0",
            "duplicates": "0",
            "dropped": "1",
            "first_occurred_at": None,
            "last_occurred_at": None,
        },
        {
            "source": "orders",
            "type": "placed",
            "accepted": "1",
            "duplicates": "0",
            "dropped": "0",
            "first_occurred_at": "2026-12-02 01:10:00.000",
            "last_occurred_at": "2026-12-02 01:10:00.000",
        },
        {
            "source": "sensors",
            "type": "alert",
            "accepted": "1",
            "duplicates": "0",
            "dropped": "0",
            "first_occurred_at": "2026-12-02 01:10:00.000",
            "last_occurred_at": "2026-12-02 01:10:00.000",
        },
        {
            "source": "sensors",
            "type": "reading",
            "accepted": "2",
            "duplicates": "1",
            "dropped": "0",
            "first_occurred_at": "2026-12-02 01:10:00.000",
            "last_occurred_at": "2026-12-02 01:10:00.000",
        },
    ]


def test_the_hourly_rollup_counts_distinct_accepted_events_of_that_hour_only() -> None:
    result = run_query_file(QUERIES / "hourly_rollup.sql", [literal(HOUR)], sample_objects(), now=NOW)
    rows = {(r["source"], r["type"]): r for r in result.records()}
    assert set(rows) == {("orders", "placed"), ("sensors", "alert"), ("sensors", "reading")}
    reading = rows[("sensors", "reading")]
    assert (reading["events"], reading["mean_value"]) == ("3", "20.167")  # e1, e2, e4; e9 is the next hour
    assert reading["median_delay_ms"] == "4000.0"
    assert rows[("sensors", "alert")]["mean_value"] is None  # no numeric value in its payload
    assert rows[("orders", "placed")]["events"] == "1"  # its duplicate is not counted


@pytest.mark.parametrize("name", ["batch_summary", "hourly_rollup"])
def test_an_hour_without_objects_gives_no_rows(name: str) -> None:
    params = [literal("2026/12/01/00")] + (
        [literal(raw_key("2026/12/01/00", BATCH))] if name == "batch_summary" else []
    )
    assert run_query_file(QUERIES / f"{name}.sql", params, sample_objects(), now=NOW).records() == []


def test_hive_timestamps_are_what_athena_prints() -> None:
    assert hive_timestamp(datetime(2026, 12, 2, 1, 10, 0, 5000, tzinfo=UTC)) == "2026-12-02 01:10:00.005"


def test_a_query_reads_only_its_partitions_and_paths_as_athena_does() -> None:
    # GIVEN an unreadable object in another hour, and one in the same hour as the batch
    objects: dict[str, Any] = dict(sample_objects())
    objects[raw_key("2026/12/02/00", OTHER)] = b"\x00 not json\n"
    objects[raw_key(HOUR, "22222222-3333-4444-8555-666666666666")] = b"\x00 not json\n"
    # THEN the batch summary (its hour and its path) and the rollup of a clean hour still run
    batch = run_query_file(
        QUERIES / "batch_summary.sql", [literal(HOUR), literal(raw_key(HOUR, BATCH))], objects, now=NOW
    )
    assert len(batch.records()) == 4
    later = run_query_file(QUERIES / "hourly_rollup.sql", [literal("2026/12/02/02")], objects, now=NOW)
    assert [r["events"] for r in later.records()] == ["1"]
    # AND a query that reads that hour whole fails on the unreadable object, as Athena's would
    with pytest.raises(QueryFailed, match="HIVE_CURSOR_ERROR"):
        run_query_file(QUERIES / "hourly_rollup.sql", [literal(HOUR)], objects, now=NOW)
