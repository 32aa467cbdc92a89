"""One query, run: translated, its tables staged from S3 into a fresh DuckDB, executed, its errors mapped.

Each query gets its own in-memory DuckDB (session time zone UTC, as Athena's) that lives as long as the query.
DuckDB's errors become Athena-shaped reasons where the mapping is clear (`COLUMN_NOT_FOUND: line 1:8: Column
'x' cannot be resolved`, `FUNCTION_NOT_FOUND`, `INVALID_CAST_ARGUMENT`); otherwise DuckDB's first line under
`GENERIC_USER_ERROR:`.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from appdef.analytics import PARTITION_COLUMN_TYPE, PSEUDO_COLUMN_PATH, AnalyticsConfig

from .errors import QueryFailed
from .pruning import Pruning
from .results import QueryResult, ResultColumn, athena_text
from .tables import ObjectStore, TableObject, create_table_view, table_objects
from .translate import Catalog, Translation, position_of_name, translate

Clock = Callable[[], datetime]
# DuckDB threads per query: cores are shared with the rest of the local runtime.
DUCKDB_THREADS = 2
_COLUMN_NOT_FOUND = re.compile(
    r'Referenced column "(.+?)" not found|does not have a column named "(.+?)"'
    r'|Column "(.+?)" referenced that exists in the SELECT clause'
)
_FUNCTION_NOT_FOUND = re.compile(r"(?:Scalar|Aggregate|Table) Function with name (\S+) does not exist")


def utc_now() -> datetime:
    """Naive UTC now: partition projection's NOW."""
    return datetime.now(UTC).replace(tzinfo=None)


def catalog_of(analytics: AnalyticsConfig) -> Catalog:
    """The tables of `[analytics]` with their columns: declared ones, the partition, `"$path"`."""
    tables: dict[tuple[str, str], dict[str, str]] = {}
    for table in analytics.tables.values():
        columns: dict[str, str] = dict(table.columns)
        if table.partition is not None:
            columns[table.partition.name] = PARTITION_COLUMN_TYPE
        columns[PSEUDO_COLUMN_PATH] = "string"
        tables[(analytics.database, table.name)] = columns
    return Catalog(tables)


class QueryEngine:
    """Runs Athena-dialect SQL over the `[analytics]` tables on DuckDB.

    Parameters
    ----------
    analytics
        The app's `[analytics]` section: the database and its tables.
    objects
        Where the tables' objects are read from (the local S3).
    clock
        Partition projection's NOW (naive UTC).
    """

    def __init__(self, analytics: AnalyticsConfig, objects: ObjectStore, clock: Clock = utc_now) -> None:
        self.analytics = analytics
        self.objects = objects
        self.catalog = catalog_of(analytics)
        self._clock = clock

    def run(
        self,
        sql: str,
        *,
        database: str | None = None,
        parameters: Sequence[str] = (),
        on_connect: Callable[[Callable[[], None]], None] | None = None,
    ) -> QueryResult:
        """Run `sql` and return its result; raises QueryFailed with Athena's kind of reason.

        `on_connect` is given a function that interrupts the query (StopQueryExecution).
        """
        partitions = {
            name: (t.partition.name if t.partition is not None else None)
            for name, t in self.analytics.tables.items()
        }
        translation = translate(
            sql, self.catalog, database=database, parameters=parameters, partition_columns=partitions
        )
        with tempfile.TemporaryDirectory(prefix="athena-") as scratch:
            connection = duckdb.connect(":memory:", config={"threads": DUCKDB_THREADS})
            try:
                if on_connect is not None:
                    on_connect(connection.interrupt)
                connection.execute("SET TimeZone = 'UTC'")
                scanned = self._stage(connection, translation, Path(scratch))
                try:
                    cursor = connection.execute(translation.sql)
                    description = cursor.description or []
                    fetched = cursor.fetchall()
                except duckdb.Error as exc:
                    raise QueryFailed(athena_reason(exc, sql)) from None
            finally:
                connection.close()
        columns = tuple(ResultColumn.from_duckdb(d[0], str(d[1])) for d in description)
        rows = tuple(tuple(athena_text(value) for value in row) for row in fetched)
        return QueryResult(columns=columns, rows=rows, data_scanned_bytes=scanned)

    def _stage(self, connection: duckdb.DuckDBPyConnection, translation: Translation, scratch: Path) -> int:
        """Fetch the objects each named table reads (its partitions and paths, as pruned) into `scratch` and
        create its view; the bytes read."""
        scanned = 0
        now = self._clock()
        for database, name in translation.tables:
            table = self.analytics.tables[name]
            pruning = translation.prunings.get(name, Pruning())
            objects = [
                item
                for item in table_objects(table, self.objects.list(table.bucket, table.prefix), now)
                if pruning.keeps(item.partition, f"s3://{table.bucket}/{item.key}")
            ]
            files: list[tuple[TableObject, Path]] = []
            for index, item in enumerate(objects):
                path = scratch / f"{name}-{index}.json"
                path.write_bytes(self.objects.read(table.bucket, item.key))
                files.append((item, path))
                scanned += item.size
            create_table_view(connection, database, table, files)
        return scanned


def athena_reason(error: duckdb.Error, sql: str) -> str:
    """A DuckDB error as Athena's StateChangeReason would put it, placed in the query as written."""
    message = str(error).split("\n", 1)[0]
    detail = message.split(": ", 1)[1] if ": " in message else message
    column = _COLUMN_NOT_FOUND.search(message)
    if column is not None:
        name = next(g for g in column.groups() if g)
        return f"COLUMN_NOT_FOUND: {position_of_name(sql, name)}: Column '{name}' cannot be resolved"
    function = _FUNCTION_NOT_FOUND.search(message)
    if function is not None:
        name = function.group(1)
        return f"FUNCTION_NOT_FOUND: {position_of_name(sql, name)}: Function '{name}' not registered"
    if "Malformed JSON" in message or ("JSON" in message and isinstance(error, duckdb.InvalidInputException)):
        return f"HIVE_CURSOR_ERROR: Row is not a valid JSON Object - {detail}"
    if isinstance(error, duckdb.ConversionException):
        return f"INVALID_CAST_ARGUMENT: {detail}"
    if isinstance(error, duckdb.OutOfRangeException):
        return f"NUMERIC_VALUE_OUT_OF_RANGE: {detail}"
    if isinstance(error, duckdb.InterruptException):
        return "Query cancelled"
    if isinstance(error, duckdb.ParserException):
        return f"SYNTAX_ERROR: {detail}"
    return f"GENERIC_USER_ERROR: {detail}"
