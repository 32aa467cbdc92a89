"""Athena SQL (Trino's dialect) to DuckDB SQL, with sqlglot: the one place a query is translated.

The app keeps one copy of each query, in Athena's dialect; this module turns it into what DuckDB runs:

- `?` placeholders take the ExecutionParameters, as Athena substitutes them (each one SQL text: `'web'`, `42`);
- tables resolve as Athena resolves them (`awsdatacatalog.db.table`, `db.table`, or `table` in the query's
  database, `default` when none is given); unknown ones fail as Athena fails them (`TABLE_NOT_FOUND: line 1:15:
  …`), with the line and column in the query as written;
- `SELECT *` leaves out the `"$path"` pseudo-column, which Athena hides until a query names it;
- unnamed result columns are `_col0`, `_col1`, … as in Trino, and integer division stays integer division;
- then sqlglot writes DuckDB's SQL (`json_extract_scalar` -> `->>`, `approx_distinct` -> `approx_count_distinct`,
  `date_parse` -> `strptime`, …). What it cannot write fails with `NOT_SUPPORTED: …`, naming sqlglot.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, OptimizeError, ParseError, SqlglotError, TokenError, UnsupportedError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify_columns import qualify_columns
from sqlglot.schema import MappingSchema
from sqlglot.tokens import TokenType

from appdef.analytics import PSEUDO_COLUMN_PATH

from .errors import QueryFailed
from .pruning import Pruning, prunings

READ_DIALECT = "athena"
WRITE_DIALECT = "duckdb"
ATHENA_CATALOG = "awsdatacatalog"
DEFAULT_DATABASE = "default"
_TOKEN_REPR = re.compile(r"<Token token_type: [\w.]+, text: (.*?), line: .*?>")
# Hive type names as sqlglot reads them in Athena's dialect.
_SQLGLOT_TYPES = {"string": "varchar", "int": "int"}


class TranslationError(QueryFailed):
    """The query cannot run: its text, its tables or its parameters are wrong, or sqlglot cannot translate it."""


@dataclass(frozen=True)
class Catalog:
    """The tables queries can name: (database, table) -> column -> Athena/Hive type, in the table's order."""

    tables: Mapping[tuple[str, str], Mapping[str, str]]

    @property
    def databases(self) -> frozenset[str]:
        return frozenset(database for database, _ in self.tables)

    def schema(self) -> MappingSchema:
        return MappingSchema(
            {
                database: {
                    table: {c: _SQLGLOT_TYPES.get(t, t) for c, t in columns.items()}
                    for (db, table), columns in self.tables.items()
                    if db == database
                }
                for database in self.databases
            },
            dialect=READ_DIALECT,
        )


@dataclass(frozen=True)
class Translation:
    """A query as DuckDB runs it, and the tables it reads."""

    sql: str
    tables: tuple[tuple[str, str], ...]
    prunings: Mapping[str, Pruning] = field(default_factory=dict)  # table -> the objects it reads


def translate(
    sql: str,
    catalog: Catalog,
    *,
    database: str | None = None,
    parameters: Sequence[str] = (),
    partition_columns: Mapping[str, str | None] | None = None,
) -> Translation:
    """Athena's `sql` as DuckDB SQL; `database` is QueryExecutionContext.Database.

    Raises TranslationError with an Athena-shaped reason.
    """
    text = bind_parameters(sql, parameters)
    try:
        statements = [s for s in sqlglot.parse(text, read=READ_DIALECT) if s is not None]
    except ParseError as exc:
        raise TranslationError(_syntax_error(exc)) from None
    except TokenError as exc:
        raise TranslationError(f"SYNTAX_ERROR: {exc}") from None
    if len(statements) != 1:
        raise TranslationError("Only one sql statement is allowed. Got: " + str(len(statements)))
    (query,) = statements
    if not isinstance(query, exp.Query):
        raise TranslationError(
            f"NOT_SUPPORTED: only queries (SELECT, WITH, VALUES) run on the local Athena, not {query.key.upper()}: "
            "its tables come from [analytics] in appsync.toml"
        )
    tables = _resolve_tables(query, text, catalog, database or DEFAULT_DATABASE)
    pruned = prunings(query, partition_columns or {})
    _name_unnamed_columns(query)
    query = _typed(query, catalog)
    _check_comparisons(query, text)
    _hide_path_from_stars(query, {table for _, table in tables})
    try:
        duckdb_sql = query.sql(dialect=WRITE_DIALECT, unsupported_level=ErrorLevel.RAISE)
    except UnsupportedError as exc:
        raise TranslationError(
            f"NOT_SUPPORTED: sqlglot cannot translate this query to DuckDB: {exc}"
        ) from None
    return Translation(sql=duckdb_sql, tables=tuple(tables), prunings=pruned)


def bind_parameters(sql: str, parameters: Sequence[str]) -> str:
    """`sql` with each `?` replaced, in order, by the SQL text of its ExecutionParameter."""
    try:
        tokens = sqlglot.Dialect.get_or_raise(READ_DIALECT).tokenize(sql)
    except TokenError as exc:
        raise TranslationError(f"SYNTAX_ERROR: {exc}") from None
    placeholders = [t for t in tokens if t.token_type == TokenType.PLACEHOLDER and t.text == "?"]
    if len(placeholders) != len(parameters):
        raise TranslationError(
            "INVALID_PARAMETER_USAGE: Incorrect number of parameters: "
            f"expected {len(placeholders)} but found {len(parameters)}"
        )
    for parameter in parameters:
        try:
            sqlglot.parse_one(parameter, read=READ_DIALECT, into=exp.Condition)
        except (ParseError, TokenError):
            raise TranslationError(
                f"INVALID_PARAMETER_USAGE: execution parameter {parameter!r} is not an SQL value "
                "(a string parameter is quoted: \"'web'\")"
            ) from None
    for token, parameter in reversed(list(zip(placeholders, parameters, strict=True))):
        sql = sql[: token.start] + parameter + sql[token.end + 1 :]
    return sql


def position(sql: str, offset: int) -> str:
    """`line L:C` (1-based) of a character offset, as Trino's messages place things."""
    line = sql.count("\n", 0, offset) + 1
    column = offset - (sql.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}:{column}"


def position_of_name(sql: str, name: str) -> str:
    """Where identifier `name` first appears in `sql` (bare or quoted), or the start of the query."""
    pattern = re.compile(rf'(?<![\w"$]){re.escape(name)}(?![\w$])|"{re.escape(name)}"', re.IGNORECASE)
    match = pattern.search(sql)
    return position(sql, match.start() if match else 0)


# -- steps ------------------------------------------------------------------------------------------------


def _syntax_error(exc: ParseError) -> str:
    if not exc.errors:
        return f"SYNTAX_ERROR: {exc}"
    error = exc.errors[0]
    highlight = error.get("highlight") or ""
    line, end_column = error.get("line") or 1, error.get("col") or 1
    column = max(1, end_column - len(highlight) + 1)
    description = _TOKEN_REPR.sub(lambda m: f"'{m.group(1)}'", str(error.get("description")))
    near = f" at or near '{highlight}'" if highlight and f"'{highlight}'" not in description else ""
    return f"SYNTAX_ERROR: line {line}:{column}: {description}{near}"


def _cte_names(query: exp.Expr) -> set[str]:
    return {cte.alias_or_name.lower() for cte in query.find_all(exp.CTE)}


def _resolve_tables(query: exp.Expr, sql: str, catalog: Catalog, database: str) -> list[tuple[str, str]]:
    """Qualify every table with its database (dropping Athena's catalog name); refuse unknown ones."""
    ctes = _cte_names(query)
    found: list[tuple[str, str]] = []
    for table in list(query.find_all(exp.Table)):
        name = table.name.lower()
        if not name or (not table.args.get("db") and name in ctes):
            continue
        parts = [p for p in (table.args.get("catalog"), table.args.get("db"), table.this) if p is not None]
        where = position(sql, min(p.meta.get("start", 0) for p in parts if isinstance(p, exp.Identifier)))
        catalog_name = table.catalog.lower() if table.catalog else ATHENA_CATALOG
        if catalog_name != ATHENA_CATALOG:
            raise TranslationError(f"CATALOG_NOT_FOUND: {where}: Catalog '{catalog_name}' does not exist")
        db = table.db.lower() if table.db else database
        if (db, name) not in catalog.tables:
            if db not in catalog.databases and db != DEFAULT_DATABASE:
                raise TranslationError(f"SCHEMA_NOT_FOUND: {where}: Schema '{db}' does not exist")
            raise TranslationError(
                f"TABLE_NOT_FOUND: {where}: Table '{ATHENA_CATALOG}.{db}.{name}' does not exist"
            )
        table.set("catalog", None)
        table.set("db", exp.to_identifier(db))
        table.set("this", exp.to_identifier(name))
        if (db, name) not in found:
            found.append((db, name))
    return found


def _name_unnamed_columns(query: exp.Expr) -> None:
    """Trino names an output column that is neither a column nor aliased `_col<position>`."""
    select = query
    while isinstance(select, exp.SetOperation):
        select = select.this  # the first branch names a UNION's columns
    if not isinstance(select, exp.Select):
        return
    for index, projection in enumerate(select.expressions):
        if not isinstance(projection, exp.Alias | exp.Column | exp.Star | exp.Dot):
            projection.replace(exp.alias_(projection.copy(), f"_col{index}"))


def _typed(query: exp.Expr, catalog: Catalog) -> exp.Expr:
    """Types annotated from the tables' columns, so `bigint / bigint` stays an integer division in DuckDB."""
    schema = catalog.schema()
    try:
        qualified = qualify_columns(query.copy(), schema=schema, expand_stars=False)
        annotated = annotate_types(qualified, schema=schema, dialect=READ_DIALECT)
    except (OptimizeError, SqlglotError, KeyError, ValueError):
        return query  # DuckDB names what is wrong, and the engine maps it
    return annotated


_TEXT = exp.DataType.TEXT_TYPES
_NOT_TEXT = exp.DataType.NUMERIC_TYPES | exp.DataType.TEMPORAL_TYPES | {exp.DataType.Type.BOOLEAN}
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)


def _check_comparisons(query: exp.Expr, sql: str) -> None:
    """Refuse what Trino refuses and DuckDB would cast: text compared with a number, a date or time, or a
    boolean (`at >= '2024-01-02'` needs `timestamp '2024-01-02'`, or a cast, on Athena)."""
    for node in query.find_all(*_COMPARISONS, exp.Between, exp.In):
        if isinstance(node, exp.Between):
            pairs = [(node.this, node.args.get("low")), (node.this, node.args.get("high"))]
        elif isinstance(node, exp.In):
            pairs = [(node.this, value) for value in node.expressions]
        else:
            pairs = [(node.this, node.expression)]
        for left, right in pairs:
            if left is None or right is None:
                continue
            kinds = {_kind(left), _kind(right)}
            if len(kinds & {"text"}) == 1 and "other" in kinds:
                operator = (
                    node.key.upper() if isinstance(node, exp.Between | exp.In) else _OPERATORS[type(node)]
                )
                raise TranslationError(
                    f"TYPE_MISMATCH: {position(sql, _start(node))}: Cannot apply operator: "
                    f"{_type_name(left)} {operator} {_type_name(right)}"
                )


_OPERATORS: dict[type, str] = {
    exp.EQ: "=",
    exp.NEQ: "<>",
    exp.GT: ">",
    exp.GTE: ">=",
    exp.LT: "<",
    exp.LTE: "<=",
}


def _kind(node: exp.Expr) -> str:
    type_ = node.type.this if isinstance(node.type, exp.DataType) else None
    if type_ in _TEXT:
        return "text"
    if type_ in _NOT_TEXT:
        return "other"
    return "unknown"


def _type_name(node: exp.Expr) -> str:
    assert isinstance(node.type, exp.DataType)
    return node.type.sql(dialect=READ_DIALECT).lower()


def _start(node: exp.Expr) -> int:
    starts = [n.meta["start"] for n in node.walk() if "start" in n.meta]
    return min(starts) if starts else 0


def _hide_path_from_stars(query: exp.Expr, tables: set[str]) -> None:
    """`*` (and `t.*`) over a table of the catalog leaves out `"$path"`, as Athena's pseudo-columns are hidden."""
    for select in query.find_all(exp.Select):
        sources = [select.args.get("from_") or select.args.get("from"), *(select.args.get("joins") or [])]
        ours = {
            (source.this.alias_or_name.lower())
            for source in sources
            if source is not None
            and isinstance(source.this, exp.Table)
            and source.this.name.lower() in tables
        }
        if not ours:
            continue
        for projection in select.expressions:
            star = projection.this if isinstance(projection, exp.Column) else projection
            qualifier = projection.table.lower() if isinstance(projection, exp.Column) else ""
            if isinstance(star, exp.Star) and (not qualifier or qualifier in ours):
                star.set("except_", [exp.column(PSEUDO_COLUMN_PATH, quoted=True)])
