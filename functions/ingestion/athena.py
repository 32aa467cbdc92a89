"""Running one query in Athena and reading its result, with plain boto3 (the same calls locally and on AWS).

StartQueryExecution in the function's workgroup (which fixes where results go), GetQueryExecution until the
query ends, then GetQueryResults page by page. Parameters are passed as Athena's ExecutionParameters (`?` in
the SQL), each a SQL literal, so nothing is spliced into the query text.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from functions.ingestion.settings import aws

TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED")
FIRST_POLL_SECONDS = 0.1
MAX_POLL_SECONDS = 2.0
DEFAULT_TIMEOUT_SECONDS = 120.0


class QueryFailed(RuntimeError):
    """Athena ended the query without a result; the message is its reason."""


@dataclass(frozen=True)
class QueryResult:
    execution_id: str
    output_location: str  # s3://bucket/key.csv, as Athena wrote it
    columns: tuple[str, ...]
    rows: tuple[dict[str, str | None], ...]


def literal(value: str) -> str:
    """A string as a SQL literal (Athena's ExecutionParameters are literals)."""
    return "'" + value.replace("'", "''") + "'"


def run_query(
    sql: str,
    parameters: Sequence[str],
    *,
    workgroup: str,
    database: str,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    athena: Any = None,
) -> QueryResult:
    """Run `sql` with string `parameters` and return every row (as strings, None for NULL)."""
    athena = athena or aws("athena")
    start: dict[str, Any] = {
        "QueryString": sql,
        "WorkGroup": workgroup,
        "QueryExecutionContext": {"Database": database},
    }
    if parameters:
        start["ExecutionParameters"] = [literal(p) for p in parameters]
    execution_id = athena.start_query_execution(**start)["QueryExecutionId"]
    execution = _wait(athena, execution_id, timeout)
    state = execution["Status"]["State"]
    if state != "SUCCEEDED":
        reason = execution["Status"].get("StateChangeReason", "no reason given")
        raise QueryFailed(f"Athena query {execution_id} {state}: {reason}")
    columns, rows = _results(athena, execution_id)
    return QueryResult(execution_id, execution["ResultConfiguration"]["OutputLocation"], columns, tuple(rows))


def _wait(athena: Any, execution_id: str, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    delay = FIRST_POLL_SECONDS
    while True:
        execution: dict[str, Any] = athena.get_query_execution(QueryExecutionId=execution_id)[
            "QueryExecution"
        ]
        if execution["Status"]["State"] in TERMINAL:
            return execution
        if time.monotonic() > deadline:
            athena.stop_query_execution(QueryExecutionId=execution_id)
            raise QueryFailed(f"Athena query {execution_id} did not end within {timeout:.0f} s; stopped")
        time.sleep(delay)
        delay = min(delay * 2, MAX_POLL_SECONDS)


def _results(athena: Any, execution_id: str) -> tuple[tuple[str, ...], list[dict[str, str | None]]]:
    columns: tuple[str, ...] = ()
    rows: list[dict[str, str | None]] = []
    token: dict[str, str] = {}
    first_page = True
    while True:
        page = athena.get_query_results(QueryExecutionId=execution_id, MaxResults=1000, **token)
        if first_page:
            columns = tuple(c["Name"] for c in page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"])
        data = page["ResultSet"]["Rows"][1:] if first_page else page["ResultSet"]["Rows"]
        rows += [
            dict(zip(columns, (cell.get("VarCharValue") for cell in row["Data"]), strict=True))
            for row in data
        ]
        first_page = False
        if not page.get("NextToken"):
            return columns, rows
        token = {"NextToken": page["NextToken"]}
