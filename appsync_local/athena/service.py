"""Athena's API over HTTP (JSON 1.1, `X-Amz-Target: AmazonAthena.<Operation>`), for a plain boto3 client.

Served by `LocalAws` when the app has `[analytics]`; `AWS_ENDPOINT_URL_ATHENA` points boto3 at it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from appdef.analytics import AnalyticsConfig

from .engine import QueryEngine
from .errors import AthenaRequestError
from .executions import ATHENA_CATALOG, QueryExecution, QueryExecutions
from .results import ResultColumn
from .tables import ObjectStore
from .wire import ColumnInfo, QueryExecutionShape, Row

CONTENT_TYPE = "application/x-amz-json-1.1"
TARGET_PREFIX = "AmazonAthena."
ENGINE_VERSION = {"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3"}

Handler = Callable[["LocalAthena", dict[str, Any]], dict[str, Any]]


class LocalAthena:
    """The local Athena: the app's workgroup (its output location enforced, as deployed) and `primary`.

    Parameters
    ----------
    analytics
        The app's `[analytics]` section.
    objects
        The local S3: tables are read from it, results written to it.
    engine
        Runs the queries; by default DuckDB over `objects`.
    """

    def __init__(
        self, analytics: AnalyticsConfig, objects: ObjectStore, engine: QueryEngine | None = None
    ) -> None:
        self.analytics = analytics
        self.engine = engine or QueryEngine(analytics, objects)
        self.executions = QueryExecutions(
            self.engine, objects, {analytics.workgroup: analytics.results_location, "primary": None}
        )
        self.app = Starlette(routes=[Route("/", self._endpoint, methods=["POST"])])

    def close(self) -> None:
        self.executions.close()

    async def _endpoint(self, request: Request) -> Response:
        target = request.headers.get("x-amz-target", "")
        handler = (
            OPERATIONS.get(target.removeprefix(TARGET_PREFIX)) if target.startswith(TARGET_PREFIX) else None
        )
        if handler is None:
            return _error("UnknownOperationException", f"Unknown operation {target}")
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            return _error("SerializationException", "The request body is not JSON")
        try:
            answer = await run_in_threadpool(handler, self, body)
        except AthenaRequestError as exc:
            return _error(exc.error_type, exc.message, exc.athena_error_code)
        return Response(json.dumps(answer), media_type=CONTENT_TYPE)

    # -- operations -----------------------------------------------------------------------------------

    def start_query_execution(self, body: dict[str, Any]) -> dict[str, Any]:
        query = body.get("QueryString")
        if not isinstance(query, str) or not query.strip():
            raise AthenaRequestError("QueryString is required", athena_error_code="INVALID_INPUT")
        execution_id = self.executions.start(
            query,
            workgroup=body.get("WorkGroup"),
            database=(body.get("QueryExecutionContext") or {}).get("Database"),
            output_location=(body.get("ResultConfiguration") or {}).get("OutputLocation"),
            parameters=tuple(body.get("ExecutionParameters") or ()),
            token=body.get("ClientRequestToken"),
        )
        return {"QueryExecutionId": execution_id}

    def get_query_execution(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"QueryExecution": _execution_shape(self.executions.get(str(body.get("QueryExecutionId"))))}

    def batch_get_query_execution(self, body: dict[str, Any]) -> dict[str, Any]:
        found, missing = [], []
        for execution_id in body.get("QueryExecutionIds") or []:
            try:
                found.append(_execution_shape(self.executions.get(execution_id)))
            except AthenaRequestError as exc:
                missing.append(
                    {
                        "QueryExecutionId": execution_id,
                        "ErrorCode": "INVALID_INPUT",
                        "ErrorMessage": exc.message,
                    }
                )
        return {"QueryExecutions": found, "UnprocessedQueryExecutionIds": missing}

    def get_query_results(self, body: dict[str, Any]) -> dict[str, Any]:
        result, rows, token = self.executions.page(
            str(body.get("QueryExecutionId")), body.get("MaxResults"), body.get("NextToken")
        )
        answer: dict[str, Any] = {
            "UpdateCount": 0,
            "ResultSet": {
                "Rows": [_row(row) for row in rows],
                "ResultSetMetadata": {"ColumnInfo": [_column_info(c) for c in result.columns]},
            },
        }
        if token is not None:
            answer["NextToken"] = token
        return answer

    def stop_query_execution(self, body: dict[str, Any]) -> dict[str, Any]:
        self.executions.stop(str(body.get("QueryExecutionId")))
        return {}

    def get_work_group(self, body: dict[str, Any]) -> dict[str, Any]:
        name = body.get("WorkGroup")
        if name not in self.executions.workgroups:
            raise AthenaRequestError(f"WorkGroup {name} is not found.", athena_error_code="INVALID_INPUT")
        output = self.executions.workgroups[name]
        configuration: dict[str, Any] = {
            "EnforceWorkGroupConfiguration": output is not None,
            "EngineVersion": ENGINE_VERSION,
        }
        if output is not None:
            configuration["ResultConfiguration"] = {"OutputLocation": output}
        return {"WorkGroup": {"Name": name, "State": "ENABLED", "Configuration": configuration}}


OPERATIONS: dict[str, Handler] = {
    "StartQueryExecution": LocalAthena.start_query_execution,
    "GetQueryExecution": LocalAthena.get_query_execution,
    "BatchGetQueryExecution": LocalAthena.batch_get_query_execution,
    "GetQueryResults": LocalAthena.get_query_results,
    "StopQueryExecution": LocalAthena.stop_query_execution,
    "GetWorkGroup": LocalAthena.get_work_group,
}


def _error(error_type: str, message: str, athena_error_code: str | None = None) -> Response:
    body: dict[str, str] = {"__type": error_type, "Message": message}
    if athena_error_code is not None:
        body["AthenaErrorCode"] = athena_error_code
    return Response(json.dumps(body), status_code=400, media_type=CONTENT_TYPE)


def _execution_shape(execution: QueryExecution) -> QueryExecutionShape:
    request = execution.request
    status: dict[str, Any] = {"State": execution.state, "SubmissionDateTime": execution.submitted}
    if execution.completed is not None:
        status["CompletionDateTime"] = execution.completed
    if execution.reason is not None:
        status["StateChangeReason"] = execution.reason
        status["AthenaError"] = {
            "ErrorCategory": 2,
            "ErrorType": 1006,
            "Retryable": False,
            "ErrorMessage": execution.reason,
        }
    end = execution.completed or None
    engine_ms = (
        int(((end or execution.started or 0) - (execution.started or 0)) * 1000) if execution.started else 0
    )
    queued_ms = int(((execution.started or end or execution.submitted) - execution.submitted) * 1000)
    scanned = execution.result.data_scanned_bytes if execution.result is not None else 0
    shape: QueryExecutionShape = {
        "QueryExecutionId": execution.id,
        "Query": request.query,
        "StatementType": "DML",
        "ResultConfiguration": {"OutputLocation": execution.output_file},
        "ResultReuseConfiguration": {"ResultReuseByAgeConfiguration": {"Enabled": False}},
        "QueryExecutionContext": {
            "Catalog": ATHENA_CATALOG,
            **({"Database": request.database} if request.database else {}),
        },
        "Status": status,
        "Statistics": {
            "EngineExecutionTimeInMillis": engine_ms,
            "DataScannedInBytes": scanned,
            "TotalExecutionTimeInMillis": engine_ms + queued_ms,
            "QueryQueueTimeInMillis": queued_ms,
            "ServicePreProcessingTimeInMillis": 0,
            "QueryPlanningTimeInMillis": 0,
            "ServiceProcessingTimeInMillis": 0,
            "ResultReuseInformation": {"ReusedPreviousResult": False},
        },
        "WorkGroup": request.workgroup,
        "EngineVersion": ENGINE_VERSION,
        "SubstatementType": "SELECT",
    }
    if request.parameters:
        shape["ExecutionParameters"] = list(request.parameters)
    return shape


def _row(values: tuple[str | None, ...]) -> Row:
    return {"Data": [{} if value is None else {"VarCharValue": value} for value in values]}


def _column_info(column: ResultColumn) -> ColumnInfo:
    return {
        "CatalogName": "hive",
        "SchemaName": "",
        "TableName": "",
        "Name": column.name,
        "Label": column.name,
        "Type": column.type,
        "Precision": column.precision,
        "Scale": column.scale,
        "Nullable": "UNKNOWN",
        "CaseSensitive": column.type in ("varchar", "char", "json"),
    }
