"""`[analytics]`: SQL over the objects the app stores in S3, run by Athena over Glue tables (D13).

Deployed, `infra/` makes the Glue database, one Glue table per `[analytics.tables.<name>]` (newline-delimited
JSON read by the OpenX JsonSerDe, partitions found by partition projection) and an Athena workgroup whose
results go to `s3://<results_bucket>/<results_prefix>`. Locally, `appsync_local.athena` answers Athena's API and
runs the same SQL files on DuckDB. The SQL files (Athena's dialect, Trino) live in the `queries` folder.

A table's partition column is projected with Athena's `date` projection: its value is the key's path segment(s)
in the projection's `format` (`2024/01/02/03` for `yyyy/MM/dd/HH`) and its Glue type is `string`, as in
Athena's Firehose example; compare it with strings in the same format.
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta
from typing import Annotated, Literal, get_args

from pydantic import Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from .base import Definition, StrictInt, StrictStr, named

# Glue's rule for database, table and column names that Athena can query: lower case letters, digits and `_`.
GlueName = Annotated[StrictStr, Field(pattern=r"^[a-z_][a-z0-9_]{0,254}$")]
# Athena's rule for workgroup names.
WorkgroupName = Annotated[StrictStr, Field(pattern=r"^[a-zA-Z0-9._-]{1,128}$")]
# A key prefix: empty, or path segments ending with `/`.
KeyPrefix = Annotated[StrictStr, Field(pattern=r"^([A-Za-z0-9!_.*'()=-]+/)*$", max_length=1024)]
# Hive/Athena column types the tables may declare.
ColumnType = Literal["string", "bigint", "int", "double", "boolean", "timestamp", "date"]
COLUMN_TYPES: tuple[str, ...] = get_args(ColumnType)
PARTITION_COLUMN_TYPE = "string"
PSEUDO_COLUMN_PATH = "$path"

# Java DateTimeFormatter letters partition projection formats may use, with Python's directive and the unit
# each is precise to.
FORMAT_LETTERS = {
    "yyyy": ("%Y", "YEARS"),
    "MM": ("%m", "MONTHS"),
    "dd": ("%d", "DAYS"),
    "HH": ("%H", "HOURS"),
    "mm": ("%M", "MINUTES"),
    "ss": ("%S", "SECONDS"),
}
UNITS = ("YEARS", "MONTHS", "WEEKS", "DAYS", "HOURS", "MINUTES", "SECONDS")
_FORMAT_TOKEN = re.compile(r"yyyy|MM|dd|HH|mm|ss|'[^']*'|[/\-_.:= ]")
_RELATIVE = re.compile(r"^NOW(?:([+-])(\d+)(YEARS|MONTHS|WEEKS|DAYS|HOURS|MINUTES|SECONDS))?$")


def format_directives(java_format: str) -> tuple[str, str]:
    """A projection format (`yyyy/MM/dd/HH`) as a Python strptime format and the finest unit it holds.

    Raises ValueError for letters partition projection formats here do not support.
    """
    position, directives, finest = 0, [], ""
    while position < len(java_format):
        match = _FORMAT_TOKEN.match(java_format, position)
        if match is None:
            raise ValueError(
                f"{java_format!r}: {java_format[position]!r} at {position + 1} is not supported; use yyyy, MM, "
                "dd, HH, mm, ss, the separators / - _ . : = and 'quoted text'"
            )
        token = match.group()
        if token in FORMAT_LETTERS:
            directive, unit = FORMAT_LETTERS[token]
            directives.append(directive)
            finest = unit if not finest or UNITS.index(unit) > UNITS.index(finest) else finest
        elif token.startswith("'"):
            directives.append(token[1:-1].replace("%", "%%"))
        else:
            directives.append(token)
        position = match.end()
    if "%Y" not in directives:
        raise ValueError(f"{java_format!r}: a date projection's format needs the year (yyyy)")
    return "".join(directives), finest


class DateProjection(Definition):
    """Athena's `date` partition projection of a table's partition column (`projection.<name>.*`)."""

    name: GlueName = Field(description="The partition column (a Glue `string` in `format`).")
    type: Literal["date"] = Field(description="The projection type; only `date` is supported.")
    format: StrictStr = Field(
        description="Java DateTimeFormatter letters: `yyyy/MM/dd/HH` for Firehose's default prefix."
    )
    range: StrictStr = Field(
        description="`<start>,<end>`: dates in `format`, or NOW with an offset (`NOW-3YEARS`)."
    )
    interval: StrictInt = Field(1, ge=1, description="Partitions are `interval` units apart.")
    unit: Literal["YEARS", "MONTHS", "WEEKS", "DAYS", "HOURS", "MINUTES", "SECONDS"] = Field(
        description="The interval's unit (`projection.<name>.interval.unit`)."
    )

    @field_validator("format")
    @classmethod
    def _format(cls, value: str) -> str:
        format_directives(value)
        return value

    @model_validator(mode="after")
    def _range_and_unit(self) -> DateProjection:
        python_format, finest = format_directives(self.format)
        if UNITS.index(self.unit) > UNITS.index(finest) and not (self.unit == "WEEKS" and finest == "DAYS"):
            raise ValueError(f"unit {self.unit} is finer than the format {self.format!r} can tell apart")
        bounds = self.range.split(",")
        if len(bounds) != 2:
            raise ValueError(f"range {self.range!r}: give `<start>,<end>`")
        for bound in bounds:
            if _RELATIVE.match(bound) is None:
                try:
                    datetime.strptime(bound, python_format)
                except ValueError:
                    raise ValueError(
                        f"range {self.range!r}: {bound!r} is neither NOW[+-]<n><UNIT> nor a date in {self.format!r}"
                    ) from None
        return self

    @property
    def python_format(self) -> str:
        return format_directives(self.format)[0]

    def bounds(self, now: datetime) -> tuple[datetime, datetime]:
        """The range's first and last dates, NOW being `now` (naive UTC)."""
        start, end = self.range.split(",")
        return self._bound(start, now), self._bound(end, now)

    def projects(self, value: datetime, now: datetime) -> bool:
        """Whether Athena would project a partition at `value`: inside the range, `interval` units from its start."""
        start, end = self.bounds(now)
        if not start <= value <= end:
            return False
        if self.interval == 1 or _RELATIVE.match(self.range.split(",")[0]):
            return True
        if self.unit in ("YEARS", "MONTHS"):
            months = (value.year - start.year) * 12 + value.month - start.month
            step = self.interval * (12 if self.unit == "YEARS" else 1)
            return months % step == 0 and _shift(start, months, "MONTHS") == value
        return (value - start) % (self.interval * _UNIT_LENGTHS[self.unit]) == timedelta(0)

    def _bound(self, text: str, now: datetime) -> datetime:
        relative = _RELATIVE.match(text)
        if relative is None:
            return datetime.strptime(text, self.python_format)
        sign, amount, unit = relative.groups()
        if amount is None:
            return now
        return _shift(now, int(amount) * (-1 if sign == "-" else 1), unit)


_UNIT_LENGTHS = {
    "WEEKS": timedelta(weeks=1),
    "DAYS": timedelta(days=1),
    "HOURS": timedelta(hours=1),
    "MINUTES": timedelta(minutes=1),
    "SECONDS": timedelta(seconds=1),
}


def _shift(moment: datetime, amount: int, unit: str) -> datetime:
    if unit in _UNIT_LENGTHS:
        return moment + amount * _UNIT_LENGTHS[unit]
    months = moment.month - 1 + amount * (12 if unit == "YEARS" else 1)
    year, month = moment.year + months // 12, months % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


class AnalyticsTable(Definition):
    """A Glue table over objects in a bucket: newline-delimited JSON (as Firehose writes it)."""

    name: SkipJsonSchema[str] = named()
    bucket: StrictStr = Field(description="A bucket of `[buckets]`.")
    prefix: KeyPrefix = Field(description="Where the objects are: `events/` (a folder, ending with `/`).")
    format: Literal["json"] = Field(
        "json", description="`json`: one JSON object a line, read by the OpenX JsonSerDe."
    )
    columns: dict[GlueName, ColumnType] = Field(
        min_length=1,
        description='Columns and their Athena/Hive types: `{ id = "string", at = "timestamp" }`.',
    )
    partition: DateProjection | None = Field(
        None, description="The partition column, projected from the keys' dates (no crawler, no MSCK)."
    )

    @model_validator(mode="after")
    def _partition_is_not_a_column(self) -> AnalyticsTable:
        if self.partition is not None and self.partition.name in self.columns:
            raise ValueError(f"partition {self.partition.name!r} is a column too")
        return self

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    @property
    def location_template(self) -> str | None:
        """Athena's `storage.location.template`: where one partition's objects are."""
        if self.partition is None:
            return None
        return f"{self.location}${{{self.partition.name}}}/"


class AnalyticsConfig(Definition):
    """Athena and Glue: the database, the workgroup, where results go, the tables and the SQL files."""

    database: GlueName = Field(description="The Glue database (the same name deployed and locally).")
    workgroup: WorkgroupName = Field(description="The Athena workgroup queries run in.")
    results_bucket: StrictStr = Field(description="A bucket of `[buckets]` Athena writes results to.")
    results_prefix: KeyPrefix = Field("", description="The results' folder in it: `athena/`.")
    queries: StrictStr | None = Field(
        None, description="The folder of .sql files (Athena's dialect), relative to appsync.toml."
    )
    tables: dict[GlueName, AnalyticsTable] = Field(default_factory=dict)

    @property
    def results_location(self) -> str:
        """The workgroup's output location, `s3://<bucket>/<prefix>`."""
        return f"s3://{self.results_bucket}/{self.results_prefix}"

    def buckets(self) -> tuple[str, ...]:
        """Every bucket it names, results first."""
        return (self.results_bucket, *dict.fromkeys(t.bucket for t in self.tables.values()))
