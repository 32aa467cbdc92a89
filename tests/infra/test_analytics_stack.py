"""`[analytics]` as deployed: the Glue table Athena projects partitions of, the workgroup, and what the report
function may do (tests/fixtures/analytics_app)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.infra.conftest import Synthesized

pytest.importorskip("aws_cdk", reason="aws-cdk-lib is not installed")


def _one(synth: Synthesized, type_name: str) -> dict[str, Any]:
    (resource,) = synth.resources(type_name).values()
    return resource["Properties"]  # type: ignore[no-any-return]


def _function_statements(synth: Synthesized, function: str) -> list[dict[str, Any]]:
    role = synth.logical_id(f"{function}FunctionRole")
    found: list[dict[str, Any]] = []
    for policy in synth.resources("AWS::IAM::Policy").values():
        if {"Ref": role} in policy["Properties"]["Roles"]:
            found += policy["Properties"]["PolicyDocument"]["Statement"]
    return found


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_the_table_is_json_with_projected_partitions(analytics: Synthesized) -> None:
    table = _one(analytics, "AWS::Glue::Table")
    table_input = table["TableInput"]
    raw = {"Ref": analytics.logical_id("AnalyticsRawBucket")}
    assert table["DatabaseName"] == "ingestion" and table_input["Name"] == "events"
    assert table_input["TableType"] == "EXTERNAL_TABLE"
    assert table_input["PartitionKeys"] == [{"Name": "dt", "Type": "string"}]
    storage = table_input["StorageDescriptor"]
    assert storage["SerdeInfo"]["SerializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe"
    assert {"Name": "occurred_at", "Type": "timestamp"} in storage["Columns"]
    parameters = table_input["Parameters"]
    assert {k: v for k, v in parameters.items() if k.startswith("projection.")} == {
        "projection.enabled": "true",
        "projection.dt.type": "date",
        "projection.dt.format": "yyyy/MM/dd/HH",
        "projection.dt.range": "2024/01/01/00,NOW",
        "projection.dt.interval": "1",
        "projection.dt.interval.unit": "HOURS",
    }
    assert parameters["storage.location.template"] == {"Fn::Join": ["", ["s3://", raw, "/events/${dt}/"]]}


def test_the_workgroup_enforces_its_result_location(analytics: Synthesized) -> None:
    workgroup = _one(analytics, "AWS::Athena::WorkGroup")
    configuration = workgroup["WorkGroupConfiguration"]
    reports = {"Ref": analytics.logical_id("AnalyticsReportsBucket")}
    assert workgroup["Name"] == "ingestion"
    assert configuration["EnforceWorkGroupConfiguration"] is True
    assert configuration["EngineVersion"] == {"SelectedEngineVersion": "AUTO"}
    assert configuration["ResultConfiguration"]["OutputLocation"] == {
        "Fn::Join": ["", ["s3://", reports, "/athena/"]]
    }
    assert _one(analytics, "AWS::Glue::Database")["DatabaseInput"]["Name"] == "ingestion"


def test_the_report_function_may_run_queries_and_nothing_more(analytics: Synthesized) -> None:
    statements = _function_statements(analytics, "report")
    by_action: dict[str, list[Any]] = {}
    for statement in statements:
        for action in _as_list(statement["Action"]):
            by_action.setdefault(action, []).extend(_as_list(statement["Resource"]))
    # Athena on its workgroup only
    assert {a for a in by_action if a.startswith("athena:")} == {
        "athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution",
    }  # fmt: skip
    assert "workgroup/ingestion" in str(by_action["athena:StartQueryExecution"])
    # the catalog: the database and its table
    glue = str(by_action["glue:GetTable"])
    assert "database/ingestion" in glue and "table/ingestion/events" in glue
    # the raw bucket's events/ read, the results folder read and written; nothing written elsewhere
    raw, reports = analytics.logical_id("AnalyticsRawBucket"), analytics.logical_id("AnalyticsReportsBucket")
    assert "/events/*" in str(by_action["s3:GetObject*"]) and raw in str(by_action["s3:GetObject*"])
    writes = str(by_action["s3:PutObject"])
    assert reports in writes and "/athena/*" in writes and raw not in writes


def test_the_function_that_runs_queries_gets_the_sql_files(analytics: Synthesized) -> None:
    (package,) = Path(analytics.outdir, ".lambda-packages").glob("report.zip")
    names = zipfile.ZipFile(package).namelist()
    # beside the function's module, where it reads them locally
    folder = "tests/fixtures/analytics_app/"
    assert f"{folder}report.py" in names
    assert f"{folder}queries/events_by_hour.sql" in names and f"{folder}queries/rejections.sql" in names
