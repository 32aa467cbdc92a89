"""The local Athena through a plain boto3 `athena` client, against `LocalAws` for the analytics fixture app:
the app's SQL files run on DuckDB over the objects in the local S3, results as Athena returns and writes them."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from appdef import AppConfig, load_config
from appsync_local.athena import LocalAthena, QueryEngine, QueryResult, S3ObjectStore
from appsync_local.local_aws import LocalAws
from appsync_local.local_aws.endpoints import client
from appsync_local.serving import BackgroundServer
from tests.fixtures.athena import object_bytes, run_query_file
from tests.fixtures.local_aws import environment

APP = Path(__file__).resolve().parents[1] / "fixtures" / "analytics_app"
QUERIES = APP / "queries"
RAW = "analytics-raw"
REPORTS = "analytics-reports"
HOUR_3 = "events/2024/01/02/03/ingest-1-2024-01-02-03-00-00-0f1c"
HOUR_4 = "events/2024/01/02/04/ingest-1-2024-01-02-04-10-00-9a2b"
EVENTS_3 = [
    {"event_id": "e1", "source": "web", "type": "click", "occurred_at": "2024-01-02 03:04:05.123",
     "received_at": "2024-01-02 03:04:06.000", "status": "accepted", "payload": json.dumps({"user": "u1"})},
    {"event_id": "e2", "source": "web", "type": "click", "occurred_at": "2024-01-02 03:14:05.000",
     "status": "rejected", "reason": 'schema: "type" unknown', "payload": json.dumps({"user": "u2"})},
]  # fmt: skip
EVENTS_4 = [
    {"event_id": "e3", "source": "app", "type": "view", "occurred_at": "2024-01-02 04:00:00.000",
     "status": "rejected", "reason": "late", "payload": json.dumps({"user": "u1"}), "attempts": 3},
    {"event_id": "e4", "source": "web", "type": "view", "occurred_at": "2024-01-02 04:30:00.500",
     "status": "rejected", "reason": "duplicate", "payload": json.dumps({"user": "u3"})},
]  # fmt: skip


@pytest.fixture(scope="module")
def analytics_app() -> AppConfig:
    return load_config(APP / "appsync.toml")


@pytest.fixture(scope="module")
def aws(analytics_app: AppConfig) -> Iterator[LocalAws]:
    """The fixture app's local AWS (moto's DynamoDB: it has no tables), with two hours of events in S3."""
    with LocalAws(analytics_app, in_memory=True, dynamodb="moto") as local:
        s3 = client(local.session(), "s3", local.endpoints.s3)
        s3.put_object(Bucket=RAW, Key=HOUR_3, Body=object_bytes(EVENTS_3))
        s3.put_object(Bucket=RAW, Key=HOUR_4, Body=object_bytes(EVENTS_4))
        s3.put_object(Bucket=RAW, Key="events/README.txt", Body=b"not a partition: Athena skips it")
        yield local


@pytest.fixture(scope="module")
def athena(aws: LocalAws) -> Any:
    """A plain boto3 client, configured only by the variables LocalAws sets (as a function's client is)."""
    with environment(aws.endpoints.environment()):
        return boto3.client("athena")


def run(athena: Any, sql: str, *params: str, **options: Any) -> dict[str, Any]:
    """Start a query and wait for its end by polling GetQueryExecution, as report functions do."""
    request: dict[str, Any] = {"QueryString": sql, "WorkGroup": "ingestion", **options}
    request.setdefault("QueryExecutionContext", {"Database": "ingestion"})
    if params:
        request["ExecutionParameters"] = list(params)
    execution_id = athena.start_query_execution(**request)["QueryExecutionId"]
    while True:
        execution = athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]
        if execution["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return execution  # type: ignore[no-any-return]


def rows_of(athena: Any, execution_id: str) -> list[list[str | None]]:
    rows: list[list[str | None]] = []
    for page in athena.get_paginator("get_query_results").paginate(QueryExecutionId=execution_id):
        rows += [[d.get("VarCharValue") for d in row["Data"]] for row in page["ResultSet"]["Rows"]]
    return rows


def test_the_environment_names_the_local_athena_as_boto3_reads_it(aws: LocalAws) -> None:
    # GIVEN the app with [analytics], whose LocalAws serves a local Athena
    # WHEN a client is made from the environment alone
    with environment(aws.endpoints.environment()):
        endpoint = boto3.client("athena").meta.endpoint_url

    # THEN it is the local Athena
    assert aws.endpoints.environment()["AWS_ENDPOINT_URL_ATHENA"] == aws.endpoints.athena == endpoint
    assert endpoint.startswith("http://127.0.0.1:")


def test_a_query_file_runs_with_parameters_and_trino_functions(athena: Any) -> None:
    # GIVEN the SQL file counting events per source and hour (date_trunc, FILTER, approx_distinct,
    # json_extract_scalar), from partition 2024/01/02/04 on
    sql = (QUERIES / "events_by_hour.sql").read_text()

    # WHEN it runs with the partition as its parameter
    execution = run(athena, sql, "'2024/01/02/04'")

    # THEN only that partition's events are counted, values as Athena's text, the header first
    assert execution["Status"]["State"] == "SUCCEEDED"
    assert rows_of(athena, execution["QueryExecutionId"]) == [
        ["source", "hour", "events", "rejected", "users"],
        ["app", "2024-01-02 04:00:00.000", "1", "1", "1"],
        ["web", "2024-01-02 04:00:00.000", "1", "1", "1"],
    ]


def test_path_and_iso_timestamps_and_the_csv_athena_writes(athena: Any, aws: LocalAws) -> None:
    # GIVEN the rejections file: `"$path"`, from_iso8601_timestamp, a qualified table name
    sql = (QUERIES / "rejections.sql").read_text()

    # WHEN it runs for source 'web'
    execution = run(athena, sql, "'web'", "'2024-01-01T00:00:00Z'")

    # THEN each row names its object, and the workgroup's output location holds the CSV, byte for byte
    output = execution["ResultConfiguration"]["OutputLocation"]
    assert output == f"s3://{REPORTS}/athena/{execution['QueryExecutionId']}.csv"
    s3 = client(aws.session(), "s3", aws.endpoints.s3)
    body = s3.get_object(Bucket=REPORTS, Key=output.split("/", 3)[3])["Body"].read()
    assert body == (
        b'"event_id","reason","occurred_at","object"\n'
        b'"e2","schema: ""type"" unknown","2024-01-02 03:14:05.000","s3://analytics-raw/'
        + HOUR_3.encode()
        + b'"\n'
        b'"e4","duplicate","2024-01-02 04:30:00.500","s3://analytics-raw/' + HOUR_4.encode() + b'"\n'
    )


def test_nulls_are_empty_in_the_csv_and_absent_in_results(athena: Any, aws: LocalAws) -> None:
    # GIVEN events without a reason
    execution = run(
        athena, "SELECT event_id, reason, attempts FROM events WHERE dt = ? ORDER BY 1", "'2024/01/02/04'"
    )

    # WHEN the results are read
    page = athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])
    s3 = client(aws.session(), "s3", aws.endpoints.s3)
    csv = s3.get_object(Bucket=REPORTS, Key=f"athena/{execution['QueryExecutionId']}.csv")["Body"].read()

    # THEN NULL has no VarCharValue, and is an empty unquoted field in the CSV; types are Athena's
    assert page["ResultSet"]["Rows"][2]["Data"] == [{"VarCharValue": "e4"}, {"VarCharValue": "duplicate"}, {}]
    assert csv == b'"event_id","reason","attempts"\n"e3","late","3"\n"e4","duplicate",\n'
    columns = page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
    assert [(c["Name"], c["Type"]) for c in columns] == [
        ("event_id", "varchar"),
        ("reason", "varchar"),
        ("attempts", "bigint"),
    ]


def test_select_star_has_the_partition_but_not_the_path(athena: Any) -> None:
    execution = run(athena, "SELECT * FROM events LIMIT 1")
    header = rows_of(athena, execution["QueryExecutionId"])[0]
    assert header[-1] == "dt" and "$path" not in header
    assert execution["Statistics"]["DataScannedInBytes"] == len(object_bytes(EVENTS_3)) + len(
        object_bytes(EVENTS_4)
    )


def test_results_page_with_max_results_and_next_token(athena: Any) -> None:
    # GIVEN a query of 4 rows (5 with the header)
    execution = run(
        athena, "SELECT event_id FROM ingestion.events ORDER BY event_id", QueryExecutionContext={}
    )

    # WHEN its results are read two rows a page
    pages = list(
        athena.get_paginator("get_query_results").paginate(
            QueryExecutionId=execution["QueryExecutionId"], PaginationConfig={"PageSize": 2}
        )
    )

    # THEN the header comes first on the first page only, and three pages hold everything
    values = [[row["Data"][0]["VarCharValue"] for row in p["ResultSet"]["Rows"]] for p in pages]
    assert values == [["event_id", "e1"], ["e2", "e3"], ["e4"]]
    with pytest.raises(ClientError) as refused:
        athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"], MaxResults=1001)
    assert "less than or equal to 1000" in str(refused.value)


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("SELECT x FROM events", "COLUMN_NOT_FOUND: line 1:8: Column 'x' cannot be resolved"),
        ("SELECT *\nFROM ingestion.nope", "TABLE_NOT_FOUND: line 2:6: Table 'awsdatacatalog.ingestion.nope' does not exist"),
        ("SELECT * FROM nowhere.events", "SCHEMA_NOT_FOUND: line 1:15: Schema 'nowhere' does not exist"),
        ("SELECT no_such_function(1)", "FUNCTION_NOT_FOUND: line 1:8: Function 'no_such_function' not registered"),
        ("SELECT source FROM events WHERE", "SYNTAX_ERROR: line 1:"),
        ("SELECT ? FROM events", "INVALID_PARAMETER_USAGE: Incorrect number of parameters: expected 1 but found 0"),
    ],
)  # fmt: skip
def test_failed_queries_say_why_as_athena_does(athena: Any, sql: str, reason: str) -> None:
    execution = run(athena, sql)
    assert execution["Status"]["State"] == "FAILED"
    assert execution["Status"]["StateChangeReason"].startswith(reason)
    with pytest.raises(ClientError) as refused:
        athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])
    assert refused.value.response["Error"]["Code"] == "InvalidRequestException"


def test_unknown_ids_and_workgroups_are_invalid_requests(athena: Any) -> None:
    with pytest.raises(ClientError) as unknown_id:
        athena.get_query_execution(QueryExecutionId="00000000-0000-0000-0000-000000000000")
    with pytest.raises(ClientError) as unknown_workgroup:
        athena.start_query_execution(QueryString="SELECT 1", WorkGroup="nope")
    for refused in (unknown_id, unknown_workgroup):
        assert refused.value.response["Error"]["Code"] == "InvalidRequestException"
        assert refused.value.response["AthenaErrorCode"] == "INVALID_INPUT"
    assert "WorkGroup nope is not found" in str(unknown_workgroup.value)


def test_a_client_request_token_makes_a_start_idempotent(athena: Any) -> None:
    # GIVEN a start with a token
    token = "report-2024-01-02T04-events-by-hour-0001"
    first = athena.start_query_execution(
        QueryString="SELECT 1", WorkGroup="ingestion", ClientRequestToken=token
    )

    # WHEN the same start is retried, and then the token is reused for another query
    again = athena.start_query_execution(
        QueryString="SELECT 1", WorkGroup="ingestion", ClientRequestToken=token
    )
    with pytest.raises(ClientError) as refused:
        athena.start_query_execution(QueryString="SELECT 2", WorkGroup="ingestion", ClientRequestToken=token)

    # THEN the retry is the same execution, and the other query is refused
    assert again["QueryExecutionId"] == first["QueryExecutionId"]
    assert refused.value.response["Error"]["Code"] == "InvalidRequestException"


class GatedEngine(QueryEngine):
    """The engine, held at the start of each query until the test opens the gate."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gate = threading.Event()
        self.entered = threading.Event()

    def run(self, sql: str, **kwargs: Any) -> QueryResult:
        self.entered.set()
        self.gate.wait(timeout=30)
        return super().run(sql, **kwargs)


def test_a_query_is_running_until_it_succeeds_or_is_stopped(aws: LocalAws, analytics_app: AppConfig) -> None:
    # GIVEN a local Athena whose engine waits for the test before each query
    assert analytics_app.analytics is not None
    objects = S3ObjectStore(client(aws.session(), "s3", aws.endpoints.s3))
    engine = GatedEngine(analytics_app.analytics, objects)
    service = LocalAthena(analytics_app.analytics, objects, engine)
    with BackgroundServer(service.app) as server:
        athena = aws.session().client("athena", endpoint_url=server.url)
        started = {
            "QueryExecutionId": athena.start_query_execution(
                QueryString="SELECT count(*) FROM ingestion.events", WorkGroup="ingestion"
            )["QueryExecutionId"]
        }
        engine.entered.wait(timeout=30)

        # WHEN it is observed while held, then let go
        running = athena.get_query_execution(**started)["QueryExecution"]["Status"]["State"]
        engine.gate.set()
        finished = run(athena, "SELECT 1")  # queued behind nothing: the engine is open now
        done = athena.get_query_execution(**started)["QueryExecution"]

        # THEN it was RUNNING, and then SUCCEEDED with its statistics
        assert running == "RUNNING"
        assert finished["Status"]["State"] == "SUCCEEDED"
        while done["Status"]["State"] == "RUNNING":
            done = athena.get_query_execution(**started)["QueryExecution"]
        assert done["Status"]["State"] == "SUCCEEDED"
        assert done["Statistics"]["EngineExecutionTimeInMillis"] >= 0

        # AND a stopped query ends CANCELLED
        engine.gate.clear()
        engine.entered.clear()
        stopped = {
            "QueryExecutionId": athena.start_query_execution(QueryString="SELECT 2", WorkGroup="ingestion")[
                "QueryExecutionId"
            ]
        }
        engine.entered.wait(timeout=30)
        athena.stop_query_execution(**stopped)
        engine.gate.set()
        assert athena.get_query_execution(**stopped)["QueryExecution"]["Status"]["State"] == "CANCELLED"
    service.close()


def test_the_report_function_runs_the_same_files_locally(aws: LocalAws) -> None:
    # GIVEN the report function, configured as the local runtime configures it
    from tests.fixtures.analytics_app.report import handler

    variables = {**aws.endpoints.environment(), "WORKGROUP": "ingestion", "DATABASE": "ingestion"}

    # WHEN it runs the rejections report
    with environment(variables):
        report = handler({"query": "rejections", "parameters": ["'app'", "'2024-01-02T00:00:00Z'"]}, None)

    # THEN it gets the rows Athena would give it
    assert report["state"] == "SUCCEEDED"
    assert report["rows"] == [["e3", "late", "2024-01-02 04:00:00.000", f"s3://{RAW}/{HOUR_4}"]]


def test_query_files_run_in_tests_without_s3(analytics_app: AppConfig) -> None:
    # GIVEN objects given in the test, one in a partition before the parameter's
    objects = {f"s3://{RAW}/{HOUR_3}": EVENTS_3, f"s3://{RAW}/{HOUR_4}": EVENTS_4}

    # WHEN the app's query file runs through the helper
    result = run_query_file(
        QUERIES / "events_by_hour.sql", ["'2024/01/02/03'"], objects, config=analytics_app
    )

    # THEN it answers as the local Athena does
    assert result.records()[0] == {
        "source": "app", "hour": "2024-01-02 04:00:00.000", "events": "1", "rejected": "1", "users": "1",
    }  # fmt: skip
    assert [r["events"] for r in result.records()] == ["1", "2", "1"]
