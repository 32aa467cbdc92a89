"""Athena's wire shapes the local Athena returns (its API reference's names), as TypedDicts."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict


class Datum(TypedDict, total=False):
    """A value; absent `VarCharValue` is NULL."""

    VarCharValue: str


class Row(TypedDict):
    Data: list[Datum]


class ColumnInfo(TypedDict):
    CatalogName: str
    SchemaName: str
    TableName: str
    Name: str
    Label: str
    Type: str
    Precision: int
    Scale: int
    Nullable: str
    CaseSensitive: bool


class QueryExecutionShape(TypedDict):
    """GetQueryExecution's `QueryExecution`."""

    QueryExecutionId: str
    Query: str
    StatementType: str
    ResultConfiguration: dict[str, str]
    ResultReuseConfiguration: dict[str, Any]
    QueryExecutionContext: dict[str, str]
    Status: dict[str, Any]
    Statistics: dict[str, Any]
    WorkGroup: str
    EngineVersion: dict[str, str]
    SubstatementType: str
    ExecutionParameters: NotRequired[list[str]]
