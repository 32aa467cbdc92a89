"""A local Athena: Athena's API, running the app's Athena-dialect SQL on DuckDB (D13).

The app's report functions call Athena with a plain boto3 `athena` client (StartQueryExecution with
ExecutionParameters, GetQueryExecution polled, GetQueryResults). Locally `AWS_ENDPOINT_URL_ATHENA` points that
client here, and the same SQL files run: sqlglot translates each query to DuckDB's dialect (`translate`), the
`[analytics]` tables are read from the local S3 with their declared types (`tables`), and results come back as
Athena returns them and as the CSV it writes to the output location (`results`). moto's Athena mock is not used:
it answers every query with canned results, so no query would really run.

Not emulated: the `.csv.metadata` file next to the CSV, billing and per-query scan limits, engine versions (the
answer says Athena engine version 3; DuckDB runs), other statement types (DDL, SHOW, EXPLAIN, CTAS, INSERT),
prepared statements and named queries, query result reuse, workgroups other than the app's and `primary`,
Lake Formation and IAM (any caller may query), the OpenX SerDe's options (keys match columns exactly, in lower
case; no `mapping.*`), and Trino functions sqlglot cannot translate (the query fails with NOT_SUPPORTED).
"""

from __future__ import annotations

from .engine import QueryEngine
from .errors import AthenaRequestError, QueryFailed
from .results import QueryResult, ResultColumn
from .service import LocalAthena
from .tables import MemoryObjectStore, ObjectStore, S3ObjectStore
from .translate import Translation, TranslationError, translate

__all__ = [
    "AthenaRequestError",
    "LocalAthena",
    "MemoryObjectStore",
    "ObjectStore",
    "QueryEngine",
    "QueryFailed",
    "QueryResult",
    "ResultColumn",
    "S3ObjectStore",
    "Translation",
    "TranslationError",
    "translate",
]
