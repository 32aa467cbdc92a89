"""The local Athena's pure parts: Athena SQL translated for DuckDB, values and the CSV as Athena writes them,
and `[analytics]` checked before anything runs."""

from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from appdef import AppConfig, ConfigError, load_config
from appsync_local.athena import TranslationError, translate
from appsync_local.athena.results import ResultColumn, athena_text, csv_bytes, java_double
from appsync_local.athena.translate import Catalog

CATALOG = Catalog(
    {
        ("ingestion", "events"): {
            "id": "string",
            "n": "bigint",
            "at": "timestamp",
            "dt": "string",
            "$path": "string",
        }
    }
)


def _duckdb(sql: str, *params: str, database: str | None = "ingestion") -> str:
    return translate(sql, CATALOG, database=database, parameters=params).sql


def test_trino_functions_become_duckdb_functions() -> None:
    sql = _duckdb(
        "SELECT date_trunc('hour', at) AS h, count(*) FILTER (WHERE id = 'x') AS c, approx_distinct(id) AS d,"
        " json_extract_scalar(id, '$.a') AS j, date_parse(dt, '%Y/%m/%d/%H') AS p FROM events"
    )
    assert "DATE_TRUNC('HOUR'" in sql and "FILTER(WHERE" in sql and "APPROX_COUNT_DISTINCT(" in sql
    assert "->> '$.a'" in sql and "STRPTIME(" in sql and "ingestion.events" in sql


def test_parameters_are_sql_text_in_order() -> None:
    sql = _duckdb("SELECT id FROM events WHERE dt >= ? AND n > ?", "'2024/01/02/00'", "5")
    assert "dt >= '2024/01/02/00'" in sql and "n > 5" in sql


def test_integer_division_stays_integer_and_unnamed_columns_are_numbered() -> None:
    sql = _duckdb("SELECT id, n / 2, count(*) FROM ingestion.events GROUP BY 1, 2")
    assert "CAST(TRUNC(" in sql and "AS _col1" in sql and "AS _col2" in sql


def test_comparisons_of_like_types_run() -> None:
    sql = _duckdb(
        "SELECT count_if(id = 'x') AS c FROM events WHERE at >= timestamp '2024-01-02 03:00:00' AND n > ?"
        " AND dt = ? AND id IN ('a', 'b') AND n BETWEEN 1 AND 3 AND CAST(n AS varchar) = '1'",
        "1",
        "'2024/01/02/03'",
    )
    assert "dt = '2024/01/02/03'" in sql


def test_star_hides_path_until_it_is_named() -> None:
    assert 'EXCLUDE ("$path")' in _duckdb("SELECT * FROM events")
    assert 'e."$path"' in _duckdb('SELECT e.*, "$path" FROM awsdatacatalog.ingestion.events e')


@pytest.mark.parametrize(
    ("sql", "params", "database", "reason"),
    [
        ("SELECT *\n  FROM ingestion.nope", (), None, "TABLE_NOT_FOUND: line 2:8: Table 'awsdatacatalog.ingestion.nope' does not exist"),
        ("SELECT * FROM events", (), None, "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.default.events' does not exist"),
        ("SELECT * FROM other.events", (), None, "SCHEMA_NOT_FOUND: line 1:15: Schema 'other' does not exist"),
        ("SELECT ?, ?", ("1",), None, "INVALID_PARAMETER_USAGE: Incorrect number of parameters: expected 2 but found 1"),
        ("SELECT 1; SELECT 2", (), None, "Only one sql statement is allowed"),
        ("DROP TABLE events", (), "ingestion", "NOT_SUPPORTED: only queries"),
        ("SELECT FROM WHERE", (), None, "SYNTAX_ERROR: line 1:13: Expected table name but got 'WHERE'"),
        # Trino casts no text to a number or a time: the parameter needs `timestamp ?` or a cast
        ("SELECT id FROM events WHERE at >= ?", ("'2024-01-02 03:00:00'",), "ingestion", "TYPE_MISMATCH: line 1:29: Cannot apply operator: timestamp >= varchar"),
        ("SELECT id FROM events\nWHERE n = '1'", (), "ingestion", "TYPE_MISMATCH: line 2:7: Cannot apply operator: bigint = varchar"),
        ("SELECT id FROM events WHERE at BETWEEN '2024-01-01' AND '2024-01-02'", (), "ingestion", "TYPE_MISMATCH"),
    ],
)  # fmt: skip
def test_what_cannot_run_fails_as_athena_says(
    sql: str, params: tuple[str, ...], database: str | None, reason: str
) -> None:
    with pytest.raises(TranslationError) as failed:
        translate(sql, CATALOG, database=database, parameters=params)
    assert failed.value.reason.startswith(reason)


def test_values_print_as_athena_prints_them() -> None:
    assert athena_text(datetime(2024, 1, 2, 3, 4, 5, 123456)) == "2024-01-02 03:04:05.123"
    assert athena_text(datetime(2024, 1, 2, tzinfo=UTC)) == "2024-01-02 00:00:00.000 UTC"
    assert athena_text(date(2024, 1, 2)) == "2024-01-02"
    assert athena_text(True) == "true" and athena_text(None) is None
    assert athena_text(Decimal("1.50")) == "1.50"
    assert athena_text([1, None, "a"]) == "[1, null, a]" and athena_text({"a": 1}) == "{a=1}"
    assert [java_double(v) for v in (1.5, 1e7, 0.0001, 123456.0, float("nan"))] == [
        "1.5", "1.0E7", "1.0E-4", "123456.0", "NaN",
    ]  # fmt: skip


def test_the_csv_quotes_every_value_and_leaves_null_empty() -> None:
    columns = (ResultColumn("id", "varchar"), ResultColumn("note", "varchar"))
    body = csv_bytes(columns, [("a", 'say "hi"'), ("b", None), ("c", "")])
    assert body == b'"id","note"\n"a","say ""hi"""\n"b",\n"c",""\n'


BASE = """
[api]
schema = "schema:schema"
default_auth = "API_KEY"

[buckets.raw]
[buckets.reports]

[analytics]
database = "ingestion"
workgroup = "ingestion"
results_bucket = "reports"
results_prefix = "athena/"
queries = "queries"

[analytics.tables.events]
bucket = "raw"
prefix = "events/"
columns = { id = "string", at = "timestamp" }
partition = { name = "dt", type = "date", format = "yyyy/MM/dd/HH", range = "2024/01/01/00,NOW", unit = "HOURS" }

[functions.report]
handler = "resolvers.todos.handler.lambda_handler"
environment = { WORKGROUP = "${athena:ingestion}", DATABASE = "${glue:ingestion}" }
"""


def _load(tmp_path: Path, text: str) -> AppConfig:
    (tmp_path / "queries").mkdir(exist_ok=True)
    path = tmp_path / "appsync.toml"
    path.write_text(textwrap.dedent(text))
    return load_config(path)


def _refusal(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as refused:
        _load(tmp_path, text)
    return str(refused.value)


def test_analytics_is_read(tmp_path: Path) -> None:
    config = _load(tmp_path, BASE)
    assert config.analytics is not None
    table = config.analytics.tables["events"]
    assert table.location_template == "s3://raw/events/${dt}/"
    assert config.analytics.results_location == "s3://reports/athena/"
    assert config.queries_dir == tmp_path / "queries"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('results_bucket = "reports"', 'results_bucket = "nope"'), "analytics.results_bucket: bucket 'nope' is not defined"),
        (('bucket = "raw"', 'bucket = "nope"'), "analytics.tables.events.bucket: bucket 'nope' is not defined"),
        (('queries = "queries"', 'queries = "sql"'), "is not a folder"),
        (("id = ", "Id = "), "columns.Id: 'Id' is not a valid name here"),
        (('"timestamp" }', '"datetime" }'), "columns.at: input should be 'string', 'bigint'"),
        (('format = "yyyy/MM/dd/HH"', 'format = "yyyy/MM/dd/HH/X"'), "'X' at 15 is not supported"),
        (('range = "2024/01/01/00,NOW"', 'range = "2024-01-01,NOW"'), "is neither NOW[+-]<n><UNIT> nor a date"),
        (('unit = "HOURS"', 'unit = "MINUTES"'), "unit MINUTES is finer than the format"),
        (('name = "dt"', 'name = "at"'), "partition 'at' is a column too"),
        (('${athena:ingestion}', '${athena:other}'), "athena 'other' is not defined"),
        (('prefix = "events/"', 'prefix = "events"'), "prefix: does not have the expected form"),
    ],
)  # fmt: skip
def test_analytics_mistakes_are_refused(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    assert message in _refusal(tmp_path, BASE.replace(*change))
