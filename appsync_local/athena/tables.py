"""The `[analytics]` tables as DuckDB relations: the objects under each table's prefix, read as Athena reads them.

For each table a query names, the objects under its prefix are listed and fetched from the local S3 (DuckDB's
httpfs extension cannot be installed offline, so objects are fetched with boto3 and read from a scratch folder),
then exposed as a view with exactly the declared columns and types (`read_json` with explicit columns), the
partition column (the key's path segments in the projection's format) and Athena's `"$path"` pseudo-column.

What Athena would not read is left out: objects whose key has no partition in the projection's format, or a
partition outside the projection's range; files Hive hides (names starting with `_` or `.`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import duckdb

from appdef.analytics import PARTITION_COLUMN_TYPE, PSEUDO_COLUMN_PATH, AnalyticsTable, DateProjection

# Athena/Hive column types as DuckDB names them.
DUCKDB_TYPES = {
    "string": "VARCHAR",
    "bigint": "BIGINT",
    "int": "INTEGER",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
}
_DIRECTIVE_PATTERNS = {
    "%Y": r"\d{4}",
    "%m": r"\d{2}",
    "%d": r"\d{2}",
    "%H": r"\d{2}",
    "%M": r"\d{2}",
    "%S": r"\d{2}",
}
_LOCAL_FILE_COLUMN = "__athena_local_file"


class ObjectStore(Protocol):
    """Where table objects are read and results written: the local S3, or memory in tests."""

    def list(self, bucket: str, prefix: str) -> Iterable[tuple[str, int]]:
        """(key, size) of every object under `prefix`."""
        ...

    def read(self, bucket: str, key: str) -> bytes: ...

    def write(self, bucket: str, key: str, body: bytes, content_type: str) -> None: ...


class S3ObjectStore:
    """An `ObjectStore` over a boto3 S3 client (the local S3)."""

    def __init__(self, s3: Any) -> None:
        self._s3 = s3

    def list(self, bucket: str, prefix: str) -> Iterator[tuple[str, int]]:
        for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                yield item["Key"], item["Size"]

    def read(self, bucket: str, key: str) -> bytes:
        return self._s3.get_object(Bucket=bucket, Key=key)["Body"].read()

    def write(self, bucket: str, key: str, body: bytes, content_type: str) -> None:
        self._s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)


class MemoryObjectStore:
    """An `ObjectStore` in a dict, `(bucket, key) -> bytes`: for query tests that need no S3."""

    def __init__(self, objects: dict[tuple[str, str], bytes] | None = None) -> None:
        self.objects = dict(objects or {})

    def list(self, bucket: str, prefix: str) -> list[tuple[str, int]]:
        return sorted(
            (k, len(v)) for (b, k), v in self.objects.items() if b == bucket and k.startswith(prefix)
        )

    def read(self, bucket: str, key: str) -> bytes:
        return self.objects[(bucket, key)]

    def write(self, bucket: str, key: str, body: bytes, content_type: str) -> None:
        self.objects[(bucket, key)] = body


@dataclass(frozen=True)
class TableObject:
    """An object a table reads: its key, size and partition value."""

    key: str
    size: int
    partition: str | None


def partition_pattern(projection: DateProjection) -> re.Pattern[str]:
    """The partition's path segments at the start of a key (after the table's prefix), then `/`."""
    parts = re.split(r"(%[YmdHMS]|%%)", projection.python_format)
    regex = "".join(
        _DIRECTIVE_PATTERNS.get(part, re.escape("%" if part == "%%" else part)) for part in parts if part
    )
    return re.compile(rf"^({regex})/")


def table_objects(
    table: AnalyticsTable, listing: Iterable[tuple[str, int]], now: datetime
) -> list[TableObject]:
    """The objects of `listing` (under the table's prefix) that Athena would read, with their partitions."""
    pattern = partition_pattern(table.partition) if table.partition is not None else None
    found: list[TableObject] = []
    for key, size in listing:
        rest = key[len(table.prefix) :]
        name = rest.rsplit("/", 1)[-1]
        if not key.startswith(table.prefix) or not name or name[0] in "_.":
            continue
        if table.partition is None or pattern is None:
            found.append(TableObject(key, size, None))
            continue
        match = pattern.match(rest)
        if match is None:
            continue
        value = match.group(1)
        try:
            moment = datetime.strptime(value, table.partition.python_format)
        except ValueError:
            continue
        if moment.strftime(table.partition.python_format) == value and table.partition.projects(moment, now):
            found.append(TableObject(key, size, value))
    return found


def create_table_view(
    connection: duckdb.DuckDBPyConnection,
    database: str,
    table: AnalyticsTable,
    files: list[tuple[TableObject, Path]],
) -> None:
    """`<database>.<table>` in `connection`: the declared columns, the partition column, then `"$path"`."""
    view = f"{_quote(database)}.{_quote(table.name)}"
    connection.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(database)}")
    extra = [(table.partition.name, PARTITION_COLUMN_TYPE)] if table.partition is not None else []
    extra.append((PSEUDO_COLUMN_PATH, "string"))
    if not files:
        columns = [*table.columns.items(), *extra]
        nulls = ", ".join(f"CAST(NULL AS {DUCKDB_TYPES[t]}) AS {_quote(c)}" for c, t in columns)
        connection.execute(f"CREATE VIEW {view} AS SELECT {nulls} WHERE false")
        return
    index = f"{_quote(database)}.{_quote('__files_' + table.name)}"
    connection.execute(f"CREATE TABLE {index} (local VARCHAR, path VARCHAR, part VARCHAR)")
    connection.executemany(
        f"INSERT INTO {index} VALUES (?, ?, ?)",
        [(str(path), f"s3://{table.bucket}/{item.key}", item.partition) for item, path in files],
    )
    spec = ", ".join(f"{_literal(c)}: {_literal(DUCKDB_TYPES[t])}" for c, t in table.columns.items())
    paths = ", ".join(_literal(str(path)) for _, path in files)
    selected = [f"j.{_quote(c)}" for c in table.columns]
    if table.partition is not None:
        selected.append(f"f.part AS {_quote(table.partition.name)}")
    selected.append(f"f.path AS {_quote(PSEUDO_COLUMN_PATH)}")
    connection.execute(
        f"CREATE VIEW {view} AS SELECT {', '.join(selected)} "
        f"FROM read_json([{paths}], format = 'newline_delimited', columns = {{{spec}}}, "
        f"filename = {_literal(_LOCAL_FILE_COLUMN)}) AS j "
        f"JOIN {index} AS f ON j.{_quote(_LOCAL_FILE_COLUMN)} = f.local"
    )


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
