"""Query results as Athena gives them: type names, values as text, and the CSV file it writes to S3.

Athena returns every value as text (`VarCharValue`) and writes results as CSV: a header row, every value in
double quotes with embedded quotes doubled, NULL as an empty unquoted field, `\\n` line ends. Timestamps print
with milliseconds (`2024-01-02 03:04:05.123`), doubles as Java prints them (`1.0E7`), booleans as `true`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

# DuckDB's type names (as `cursor.description` gives them) -> Athena's, with Athena's precision.
_SCALARS = {
    "VARCHAR": ("varchar", 2147483647),
    "JSON": ("json", 0),
    "BIGINT": ("bigint", 19),
    "HUGEINT": ("bigint", 19),  # DuckDB sums bigints into int128; Athena's sum is a bigint
    "UBIGINT": ("bigint", 19),
    "INTEGER": ("integer", 10),
    "UINTEGER": ("bigint", 19),
    "SMALLINT": ("smallint", 5),
    "TINYINT": ("tinyint", 3),
    "DOUBLE": ("double", 17),
    "FLOAT": ("real", 7),
    "BOOLEAN": ("boolean", 0),
    "DATE": ("date", 0),
    "TIME": ("time", 3),
    "TIMESTAMP": ("timestamp", 3),
    "TIMESTAMP_MS": ("timestamp", 3),
    "TIMESTAMP_S": ("timestamp", 3),
    "TIMESTAMP_NS": ("timestamp", 3),
    "TIMESTAMP WITH TIME ZONE": ("timestamp with time zone", 3),
    "INTERVAL": ("interval day to second", 0),
    "UUID": ("uuid", 0),
    "BLOB": ("varbinary", 2147483647),
}
_DECIMAL = re.compile(r"^DECIMAL\((\d+),\s*(\d+)\)$")


@dataclass(frozen=True)
class ResultColumn:
    """A result column: its name (lower case, as Trino gives it) and Athena type."""

    name: str
    type: str
    precision: int = 0
    scale: int = 0

    @classmethod
    def from_duckdb(cls, name: str, duckdb_type: str) -> ResultColumn:
        decimal = _DECIMAL.match(duckdb_type)
        if decimal:
            return cls(name.lower(), "decimal", int(decimal.group(1)), int(decimal.group(2)))
        if duckdb_type.endswith("[]") or re.match(r"^[A-Z]+\[\d+\]$", duckdb_type):
            return cls(name.lower(), "array")
        if duckdb_type.startswith("STRUCT"):
            return cls(name.lower(), "row")
        if duckdb_type.startswith("MAP"):
            return cls(name.lower(), "map")
        athena, precision = _SCALARS.get(duckdb_type, ("varchar", 2147483647))
        return cls(name.lower(), athena, precision)


@dataclass(frozen=True)
class QueryResult:
    """What a query returned: its columns, its rows as Athena's text (None for NULL), the bytes it scanned."""

    columns: tuple[ResultColumn, ...]
    rows: tuple[tuple[str | None, ...], ...]
    data_scanned_bytes: int = 0

    def records(self) -> list[dict[str, str | None]]:
        """The rows as dicts by column name."""
        names = [c.name for c in self.columns]
        return [dict(zip(names, row, strict=True)) for row in self.rows]


def athena_text(value: Any) -> str | None:
    """A value as Athena prints it (GetQueryResults' VarCharValue and the CSV); None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, datetime):
        text = value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond // 1000:03d}"
        if value.tzinfo is not None:
            text += " " + (value.tzname() or "UTC")
        return text
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S.") + f"{value.microsecond // 1000:03d}"
    if isinstance(value, timedelta):
        return _interval(value)
    if isinstance(value, bytes):
        return " ".join(f"{byte:02x}" for byte in value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_nested(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_nested(k)}={_nested(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def java_double(value: float) -> str:
    """`Double.toString`: `1.5`, `1.0E7`, `1.0E-4`, `NaN`, `Infinity`."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1, value) < 0 else "0.0"
    if 1e-3 <= abs(value) < 1e7:
        text = format(Decimal(repr(value)), "f")
        return text if "." in text else text + ".0"
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    assert isinstance(exponent, int)
    mantissa = "".join(map(str, digits))
    power = exponent + len(mantissa) - 1
    fraction = mantissa[1:] or "0"
    return f"{'-' if sign else ''}{mantissa[0]}.{fraction}E{power}"


def _nested(value: Any) -> str:
    text = athena_text(value)
    return "null" if text is None else text


def _interval(value: timedelta) -> str:
    sign = "-" if value < timedelta(0) else ""
    value = abs(value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{value.days} {hours:02d}:{minutes:02d}:{seconds:02d}.{value.microseconds // 1000:03d}"


def csv_bytes(columns: Sequence[ResultColumn], rows: Sequence[Sequence[str | None]]) -> bytes:
    """The CSV file Athena writes: header, every value quoted (quotes doubled), NULL empty, `\\n` ends."""
    lines = [",".join(_quoted(c.name) for c in columns)]
    lines += [",".join("" if value is None else _quoted(value) for value in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'
