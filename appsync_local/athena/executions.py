"""Query executions: submitted, run on worker threads, observed, stopped, their results paged.

A query is QUEUED when submitted, RUNNING on a worker, then SUCCEEDED (its CSV written to the output location
first, as Athena does), FAILED (with a StateChangeReason) or CANCELLED. ClientRequestToken makes a start
idempotent: the same token and request give the same QueryExecutionId.
"""

from __future__ import annotations

import base64
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from .engine import QueryEngine
from .errors import AthenaRequestError, QueryFailed
from .results import QueryResult, csv_bytes
from .tables import ObjectStore

TERMINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})
MAX_RESULTS = 1000
WORKERS = 2
ATHENA_CATALOG = "AwsDataCatalog"


@dataclass(frozen=True)
class QueryRequest:
    """What StartQueryExecution asked for."""

    query: str
    workgroup: str
    database: str | None
    output_location: str  # the folder: the results are `<folder>/<id>.csv`
    parameters: tuple[str, ...] = ()


@dataclass
class QueryExecution:
    """One query's lifetime."""

    id: str
    request: QueryRequest
    submitted: float = field(default_factory=time.time)
    state: str = "QUEUED"
    reason: str | None = None
    started: float | None = None
    completed: float | None = None
    result: QueryResult | None = None
    interrupt: Callable[[], None] | None = None

    @property
    def output_file(self) -> str:
        return f"{self.request.output_location.rstrip('/')}/{self.id}.csv"


class QueryExecutions:
    """Every query of this run, by id; queries run on a small pool of worker threads.

    Parameters
    ----------
    engine
        Runs each query.
    objects
        Where result files are written.
    workgroups
        The workgroups queries may name -> their enforced output location (None: the request gives it).
    """

    def __init__(
        self, engine: QueryEngine, objects: ObjectStore, workgroups: Mapping[str, str | None]
    ) -> None:
        self.engine = engine
        self.objects = objects
        self.workgroups = dict(workgroups)
        self._executions: dict[str, QueryExecution] = {}
        self._tokens: dict[str, tuple[QueryRequest, str]] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="athena-query")

    def close(self) -> None:
        """Stop running queries and the workers."""
        with self._lock:
            running = [e for e in self._executions.values() if e.state not in TERMINAL]
        for execution in running:
            self.stop(execution.id)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def start(
        self,
        query: str,
        *,
        workgroup: str | None,
        database: str | None,
        output_location: str | None,
        parameters: Sequence[str] = (),
        token: str | None = None,
    ) -> str:
        """Submit a query; its QueryExecutionId."""
        name = workgroup or "primary"
        if name not in self.workgroups:
            raise AthenaRequestError(f"WorkGroup {name} is not found.", athena_error_code="INVALID_INPUT")
        output = self.workgroups[name] or output_location
        if not output:
            raise AthenaRequestError(
                "No output location provided. An output location is required either through the Workgroup "
                "result configuration setting or as an API input.",
                athena_error_code="INVALID_INPUT",
            )
        if not output.startswith("s3://"):
            raise AthenaRequestError(
                f"{output} is not a valid S3 location", athena_error_code="INVALID_INPUT"
            )
        request = QueryRequest(query, name, database, output, tuple(parameters))
        with self._lock:
            if token is not None and token in self._tokens:
                earlier, execution_id = self._tokens[token]
                if earlier != request:
                    raise AthenaRequestError(
                        "Idempotent parameters do not match", athena_error_code="INVALID_INPUT"
                    )
                return execution_id
            execution = QueryExecution(id=str(uuid.uuid4()), request=request)
            self._executions[execution.id] = execution
            if token is not None:
                self._tokens[token] = (request, execution.id)
        self._pool.submit(self._run, execution)
        return execution.id

    def get(self, execution_id: str) -> QueryExecution:
        with self._lock:
            execution = self._executions.get(execution_id)
        if execution is None:
            raise AthenaRequestError(
                f"QueryExecution {execution_id} was not found", athena_error_code="INVALID_INPUT"
            )
        return execution

    def stop(self, execution_id: str) -> None:
        execution = self.get(execution_id)
        with self._lock:
            if execution.state in TERMINAL:
                return
            execution.state, execution.completed = "CANCELLED", time.time()
            interrupt = execution.interrupt
        if interrupt is not None:
            interrupt()

    def page(
        self, execution_id: str, max_results: int | None, next_token: str | None
    ) -> tuple[QueryResult, list[tuple[str | None, ...]], str | None]:
        """A page of results: the header row first on the first page, as Athena gives it; the next token."""
        execution = self.get(execution_id)
        limit = MAX_RESULTS if max_results is None else max_results
        if not 1 <= limit <= MAX_RESULTS:
            raise AthenaRequestError(
                f"1 validation error detected: Value '{limit}' at 'maxResults' failed to satisfy constraint: "
                f"Member must have value less than or equal to {MAX_RESULTS}",
                error_type="ValidationException",
            )
        if execution.state != "SUCCEEDED" or execution.result is None:
            if execution.state in TERMINAL:
                raise AthenaRequestError(
                    f"Query did not finish successfully. Final query state: {execution.state}",
                    athena_error_code="INVALID_INPUT",
                )
            raise AthenaRequestError(
                f"Query has not yet finished. Current state: {execution.state}",
                athena_error_code="INVALID_INPUT",
            )
        result = execution.result
        offset = _offset(next_token, execution_id) if next_token else 0
        rows = [tuple(c.name for c in result.columns), *result.rows]
        page = rows[offset : offset + limit]
        following = offset + limit
        token = _token(execution_id, following) if following < len(rows) else None
        return result, list(page), token

    def _run(self, execution: QueryExecution) -> None:
        with self._lock:
            if execution.state != "QUEUED":
                return  # stopped while queued
            execution.state, execution.started = "RUNNING", time.time()

        def attach(interrupt: Callable[[], None]) -> None:
            execution.interrupt = interrupt

        request = execution.request
        try:
            result = self.engine.run(
                request.query, database=request.database, parameters=request.parameters, on_connect=attach
            )
            self._write(execution, result)
        except QueryFailed as exc:
            self._finish(execution, "FAILED", reason=exc.reason)
        except Exception as exc:  # an engine bug is a failed query, not a hung one
            self._finish(execution, "FAILED", reason=f"GENERIC_INTERNAL_ERROR: {exc}")
        else:
            self._finish(execution, "SUCCEEDED", result=result)

    def _write(self, execution: QueryExecution, result: QueryResult) -> None:
        bucket, _, key = execution.output_file.removeprefix("s3://").partition("/")
        try:
            self.objects.write(bucket, key, csv_bytes(result.columns, result.rows), "text/csv")
        except Exception:
            raise QueryFailed(f"Unable to verify/create output bucket {bucket}") from None

    def _finish(
        self,
        execution: QueryExecution,
        state: str,
        *,
        reason: str | None = None,
        result: QueryResult | None = None,
    ) -> None:
        with self._lock:
            if execution.state == "CANCELLED":
                return
            execution.state, execution.reason, execution.result = state, reason, result
            execution.completed = time.time()


def _token(execution_id: str, offset: int) -> str:
    return base64.urlsafe_b64encode(f"{execution_id}:{offset}".encode()).decode()


def _offset(token: str, execution_id: str) -> int:
    try:
        owner, _, offset = base64.urlsafe_b64decode(token.encode()).decode().rpartition(":")
        if owner == execution_id:
            return int(offset)
    except (ValueError, UnicodeDecodeError):
        pass
    raise AthenaRequestError("The token is invalid.", athena_error_code="INVALID_INPUT")
